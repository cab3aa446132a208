import type { Formatter } from "../formatter.js";
import { assertVarName, checkAssignment } from "./validate.js";

/**
 * Quote for fish (3.x). Inside fish single quotes only `\\` and `\'` are escapes; everything else is
 * literal. Line breaks are written outside the quotes as the escapes `\n` / `\r`, so that every
 * statement stays on one line: `eval (assume-role -f fish)` splits its input on newlines and joins
 * the pieces with spaces, which would otherwise corrupt a value holding a newline.
 * Example: "it's\nok" -> 'it\'s'\n'ok'
 */
export function fishQuote(value: string): string {
  if (value === "") return "''";
  return value
    .split(/(\r|\n)/)
    .filter((piece) => piece !== "")
    .map((piece) => {
      if (piece === "\n") return "\\n";
      if (piece === "\r") return "\\r";
      return `'${piece.replace(/[\\']/g, "\\$&")}'`;
    })
    .join("");
}

/**
 * Clear NAME in this session: erase the global (an absent one is left alone, because a bare
 * `set -e` would set `$status` to 4), print nothing, leave `$status` at 0.
 * A universal variable (`set -Ux`, kept on disk and shared by every fish session) is not erased:
 * that would change the user's other sessions for good. fish keeps exporting it even under an
 * unexported global, and an exported empty global would make botocore look for a profile named
 * "", so the only honest move is to say so on stderr.
 */
function fishClear(name: string): string {
  const note = `assume-role: universal variable ${name} stays exported (erase it: set -e -U ${name})`;
  return `if set -q -g ${name}; set -e -g ${name}; end; if set -q -U -x ${name}; echo '${note}' >&2; end;`;
}

/**
 * `set -gx NAME 'value';` per variable, then one clearing statement per name. Each statement ends
 * with `;` so both `assume-role -f fish | source` and `eval (assume-role -f fish)` work.
 */
export const formatFish: Formatter = ({ exports }) => {
  const lines = exports.set.map(([name, value]) => {
    checkAssignment("fish", name, value);
    return `set -gx ${name} ${fishQuote(value)};`;
  });
  for (const name of exports.unset) {
    assertVarName(name);
    lines.push(fishClear(name));
  }
  return `${lines.join("\n")}\n`;
};
