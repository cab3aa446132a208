import type { Formatter } from "../formatter.js";
import { assertVarName, checkAssignment, UnrepresentableValueError } from "./validate.js";

/**
 * PowerShell ends a single-quoted string at any of ' U+2018 U+2019 U+201A U+201B, and reads a
 * doubled one as that character: so each is doubled. Nothing else is special between single quotes.
 */
const PS_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/**
 * A PowerShell expression for `value`. Line breaks go outside the quotes as "`n" / "`r" joined
 * with `+`, so each statement is one line: `assume-role -f powershell | Invoke-Expression` runs
 * the output line by line. Example: "it's\nok" -> 'it''s' + "`n" + 'ok'
 */
export function psQuote(value: string): string {
  if (value === "") return "''";
  return value
    .split(/(\r|\n)/)
    .filter((piece) => piece !== "")
    .map((piece) => {
      if (piece === "\n") return '"`n"';
      if (piece === "\r") return '"`r"';
      return `'${piece.replace(PS_QUOTES, "$&$&")}'`;
    })
    .join(" + ");
}

/**
 * `$Env:NAME = 'value'` per variable, then `Remove-Item` per cleared name (silent when absent).
 * Output is text: a Windows PowerShell 5.1 console that decodes child output in an OEM code page
 * garbles non-ASCII values before they are evaluated; STS values are ASCII.
 */
export const formatPowerShell: Formatter = ({ exports }) => {
  const lines = exports.set.map(([name, value]) => {
    checkAssignment("powershell", name, value);
    if (value === "") {
      // Assigning '' to an Env: variable removes it instead of setting it empty.
      throw new UnrepresentableValueError("powershell", name, "the value is empty, and PowerShell removes a variable set to ''");
    }
    return `$Env:${name} = ${psQuote(value)}`;
  });
  for (const name of exports.unset) {
    assertVarName(name);
    lines.push(`Remove-Item -ErrorAction SilentlyContinue Env:${name}`);
  }
  return `${lines.join("\n")}\n`;
};
