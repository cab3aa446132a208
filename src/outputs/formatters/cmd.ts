import type { Formatter } from "../formatter.js";
import { assertVarName, checkAssignment, UnrepresentableValueError } from "./validate.js";

/*
 * Windows cmd.exe: `set "NAME=value"`. Between the quotes & | < > ( ) and ^ are literal, and `set`
 * drops the closing quote, so trailing spaces and `=` survive. The output must work both run as a
 * batch file and as `for /f "delims=" %i in ('assume-role -f cmd') do %i`. What no quoting
 * protects in cmd.exe, and is therefore refused (first rule broken wins):
 *   CR, LF      end the command line (a batch file drops every CR outright).
 *   "           ends the quoted region: the rest of the line is parsed as commands.
 *   %           percent expansion runs before quotes are looked at; `%%` is an escape only
 *               inside batch files, not at the prompt or in `for ... do %i`.
 *   !           with delayed expansion on (cmd /V:ON, setlocal EnableDelayedExpansion) `!x!` is
 *               expanded and a lone `!` dropped, quotes or not; such a line also loses its carets.
 *   other control characters and non-ASCII: what arrives depends on the console code page
 *               (`for /f` decodes our UTF-8 as the OEM code page), so there is no exact round-trip.
 *   empty       `set "NAME="` deletes the variable.
 * `^` is safe: inside quotes it is literal, and caret removal by delayed expansion only happens on
 * lines containing `!`, which are refused. STS output (base64 with + / =, ISO dates, ARNs) passes.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\r\n]/, "it contains a line break, which ends a cmd.exe command line"],
  [/"/, "it contains '\"', which would end the quoted set \"NAME=value\" early"],
  [/%/, "it contains '%', which cmd.exe expands even inside quotes"],
  [/!/, "it contains '!', which cmd.exe expands when delayed expansion is on"],
  [/[^\x20-\x7e]/, "it contains a control or non-ASCII character, which cmd.exe does not carry reliably"],
];

const HINT = "use --format powershell, or --format json and read the values yourself";

function assertCmdSafe(name: string, value: string): void {
  if (value === "") throw new UnrepresentableValueError("cmd", name, 'the value is empty, and set "NAME=" deletes the variable', HINT);
  for (const [pattern, rule] of RULES) {
    if (pattern.test(value)) throw new UnrepresentableValueError("cmd", name, rule, HINT);
  }
}

/** `set "NAME=value"` per variable, then `set NAME=` per cleared name (silent when it is not set). */
export const formatCmd: Formatter = ({ exports }) => {
  const lines = exports.set.map(([name, value]) => {
    checkAssignment("cmd", name, value);
    assertCmdSafe(name, value);
    return `set "${name}=${value}"`;
  });
  for (const name of exports.unset) {
    assertVarName(name);
    lines.push(`set ${name}=`);
  }
  return `${lines.join("\n")}\n`;
};
