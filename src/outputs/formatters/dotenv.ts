import type { Formatter } from "../formatter.js";
import { checkAssignment, UnrepresentableValueError } from "./validate.js";

/*
 * `.env` files have no single grammar. A value is written in the first form below that npm `dotenv`,
 * python-dotenv (with its default interpolation) and docker compose all read back unchanged; a value
 * no form carries is refused rather than written so that one of them silently reads something else.
 *
 *   NAME=value      unquoted, when every character is in [A-Za-z0-9_./:+=@,-] (all STS values);
 *   NAME='value'    literal in all three, when the value has no ', CR or LF, no `\\`, and does not
 *                   end in `\` (python-dotenv decodes `\\` and `\'` even between single quotes);
 *   NAME="value"    for values with ' or line breaks: LF -> \n, CR -> \r (all three decode these;
 *                   line breaks cannot stay raw since npm dotenv and python turn CR into LF).
 * Refused:
 *   `${`            python-dotenv expands ${NAME} in every value, quoted or not, with no escape.
 *   in the "…" form: `\` or `"` (npm dotenv keeps `\\` and `\"` verbatim), `$` (compose expands it).
 */
const SAFE_UNQUOTED = /^[A-Za-z0-9_./:+=@,-]+$/;
const HINT = "use --format json, or a shell format, for this value";

function refuse(name: string, rule: string): never {
  throw new UnrepresentableValueError("dotenv", name, rule, HINT);
}

/** The right-hand side of `NAME=` for `value`, or an UnrepresentableValueError. */
export function dotenvValue(name: string, value: string): string {
  if (value.includes("${")) refuse(name, "it contains '${', which python-dotenv expands in every value");
  if (SAFE_UNQUOTED.test(value)) return value;
  if (!/['\r\n]/.test(value) && !value.includes("\\\\") && !value.endsWith("\\")) return `'${value}'`;
  if (/[\\"]/.test(value)) refuse(name, "it needs double quotes (it has a quote or line break) and contains '\\' or '\"', which npm dotenv does not unescape");
  if (value.includes("$")) refuse(name, "it needs double quotes (it has a quote or line break) and contains '$', which docker compose expands there");
  return `"${value.replaceAll("\n", "\\n").replaceAll("\r", "\\r")}"`;
}

/** `NAME=value` lines only: a dotenv file cannot unset, so `exports.unset` is not written. */
export const formatDotenv: Formatter = ({ exports }) => {
  const lines = exports.set.map(([name, value]) => {
    checkAssignment("dotenv", name, value);
    return `${name}=${dotenvValue(name, value)}`;
  });
  return `${lines.join("\n")}\n`;
};
