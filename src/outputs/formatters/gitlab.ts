import { UsageError } from "../../errors.js";
import type { Formatter } from "../formatter.js";
import { checkAssignment, UnrepresentableValueError } from "./validate.js";

/*
 * `--format gitlab`: the body of a GitLab CI dotenv report (`artifacts: reports: dotenv: FILE`), which
 * GitLab turns into variables of the later jobs. GitLab's reader is not npm dotenv: it takes each line
 * as `KEY=VALUE` split at the first `=`, strips spaces around both, keeps quotes as written (so the
 * values are written bare), rejects blank lines and files of 5 KiB or more, and later expands `$NAME`
 * references in the values. So a value is refused when it has a line break (one line per variable),
 * leading or trailing whitespace (stripped), or a `$` (expanded); names must be [A-Za-z0-9_].
 * The report is a job artifact: restrict who may download it (`artifacts: access:`).
 */
const MAX_BYTES = 5 * 1024;
const HINT = "use --format json (and read it with jq), or a shell format, for this value";

export function gitlabLine(name: string, value: string): string {
  checkAssignment("gitlab", name, value);
  const refuse = (rule: string): never => {
    throw new UnrepresentableValueError("gitlab", name, rule, HINT);
  };
  if (/[\r\n]/.test(value)) refuse("it has a line break, and GitLab dotenv values are one line");
  if (value !== value.trim()) refuse("it starts or ends with whitespace, which GitLab strips");
  if (value.includes("$")) refuse("it contains '$', which GitLab expands in dotenv variables");
  return `${name}=${value}`;
}

/** `NAME=value` lines; nothing is unset (a dotenv report cannot remove variables). */
export const formatGitlab: Formatter = ({ exports }) => {
  const body = `${exports.set.map(([name, value]) => gitlabLine(name, value)).join("\n")}\n`;
  if (Buffer.byteLength(body) >= MAX_BYTES) {
    throw new UsageError(`--format gitlab: the report would be ${Buffer.byteLength(body)} bytes; GitLab refuses dotenv reports of 5 KiB or more`, {
      hint: HINT,
    });
  }
  return body;
};
