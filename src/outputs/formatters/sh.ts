import type { Formatter } from "../formatter.js";
import { assertVarName, checkAssignment } from "./validate.js";

/**
 * Quote for any POSIX shell (dash, bash, zsh, ksh). Between single quotes every byte is literal:
 * `$`, backquotes, `\`, `!` (history expansion never applies to eval'd text), newlines and any
 * non-ASCII text included. Only the quote itself needs care: close, escaped quote, reopen (`'\''`).
 * A closing quote is therefore always followed by `\` or the end of the word, so the pieces stay
 * correct under zsh's RC_QUOTES option too (`''` inside quotes is never produced).
 */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME='value'` per variable, then a single `unset` line (silent for names that are not set). */
export const formatSh: Formatter = ({ exports }) => {
  const lines = exports.set.map(([name, value]) => {
    checkAssignment("sh", name, value);
    return `export ${name}=${shQuote(value)}`;
  });
  if (exports.unset.length > 0) {
    exports.unset.forEach(assertVarName);
    lines.push(`unset ${exports.unset.join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
};
