import type { Formatter } from "../formatter.js";
import { assertVarName, checkAssignment } from "./validate.js";

/**
 * Quote for nushell: a double-quoted string, where `\` and `"` are escaped and every control character
 * (and DEL) is written as `\u{HEX}`, so each statement stays on one line and carries any value exactly.
 * Example: `a"b\c` + newline -> "a\"b\\c\u{a}"
 */
export function nuQuote(value: string): string {
  return `"${value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => (c === "\\" || c === '"' ? `\\${c}` : `\\u{${c.charCodeAt(0).toString(16)}}`))}"`;
}

/**
 * `--format nu`: nushell has no eval, so the text is meant for `source` (or the README's `def --env`
 * wrapper): one `hide-env --ignore-errors` line for the names to clear (silent for names that are not
 * set), then one `load-env {NAME: "value", ...}` record. Its record is also valid NUON.
 */
export const formatNu: Formatter = ({ exports }) => {
  const lines: string[] = [];
  if (exports.unset.length > 0) {
    exports.unset.forEach(assertVarName);
    lines.push(`hide-env --ignore-errors ${exports.unset.join(" ")}`);
  }
  if (exports.set.length > 0) {
    const fields = exports.set.map(([name, value]) => {
      checkAssignment("nu", name, value);
      return `${name}: ${nuQuote(value)}`;
    });
    lines.push(`load-env {${fields.join(", ")}}`);
  }
  return `${lines.join("\n")}\n`;
};
