import type { ExportSet, FormatInput } from "../export-set.js";
import type { Formatter } from "../formatter.js";
import { checkAssignment, UnrepresentableValueError } from "./validate.js";

/*
 * `--format github`, for a step of a GitHub Actions job. Two outputs, in this order:
 *   1. stdout (this formatter, pure): one `::add-mask::VALUE` workflow command per secret (access key
 *      ID, secret access key, session token), so the runner hides them in every later log line;
 *   2. $GITHUB_ENV (the command layer appends githubEnvBlock(), see github-env-file.ts): every
 *      assignment in the runner's heredoc form `NAME<<DELIMITER\nVALUE\nDELIMITER\n`, which carries
 *      any value (no quoting rules) as long as no line of it equals the delimiter. The delimiter is
 *      random and checked not to occur in the value at all.
 * Nothing is unset: $GITHUB_ENV cannot remove variables.
 */

/** Workflow-command data escaping, as the runner unescapes it: % → %25, CR → %0D, LF → %0A. */
export function escapeCommandData(value: string): string {
  return value.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** The values GitHub must mask: every part of the credentials, the key ID included (it names the session). */
export function githubSecrets(input: FormatInput): string[] {
  const c = input.credentials;
  const values = [c.accessKeyId, c.secretAccessKey, c.sessionToken].filter((v): v is string => v !== undefined && v !== "");
  return [...new Set(values)];
}

export const formatGithub: Formatter = (input) => {
  const lines = githubSecrets(input).map((secret) => `::add-mask::${escapeCommandData(secret)}`);
  return `${lines.join("\n")}\n`;
};

const DELIMITER_PREFIX = "ASSUME_ROLE_EOF_";

/**
 * The $GITHUB_ENV text for `exports.set`: `NAME<<DELIM\nVALUE\nDELIM\n` per variable.
 * `randomHex` supplies fresh randomness for each delimiter (crypto in the command layer, fixed in tests);
 * a delimiter that occurs anywhere in the value is drawn again.
 * Refused: NUL (no environment can hold it) and CR (a Windows runner ends lines at CRLF, so a CR
 * before a line feed in the value would be lost).
 */
export function githubEnvBlock(exports: ExportSet, randomHex: () => string): string {
  return githubFileBlock(exports.set, randomHex, (name, value) => checkAssignment("github", name, value));
}

/** Step output names as the runner takes them (actions/toolkit setOutput): letters, digits, `_` and `-`. */
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The $GITHUB_OUTPUT text for step outputs (`steps.ID.outputs.NAME`), in the same heredoc form. */
export function githubOutputBlock(outputs: ReadonlyArray<readonly [name: string, value: string]>, randomHex: () => string): string {
  return githubFileBlock(outputs, randomHex, (name) => {
    if (!OUTPUT_NAME.test(name)) throw new Error(`invalid step output name ${JSON.stringify(name)}`);
  });
}

function githubFileBlock(
  pairs: ReadonlyArray<readonly [name: string, value: string]>,
  randomHex: () => string,
  check: (name: string, value: string) => void,
): string {
  let out = "";
  for (const [name, value] of pairs) {
    check(name, value);
    if (value.includes("\r")) {
      throw new UnrepresentableValueError("github", name, "it contains a carriage return, which a Windows runner drops before a line feed (CRLF line ends)");
    }
    const delimiter = delimiterFor(value, randomHex);
    out += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return out;
}

function delimiterFor(value: string, randomHex: () => string): string {
  for (let tries = 0; tries < 100; tries++) {
    const candidate = `${DELIMITER_PREFIX}${randomHex()}`;
    if (!/^[0-9a-f]{16,}$/.test(candidate.slice(DELIMITER_PREFIX.length))) {
      throw new Error("githubEnvBlock: randomHex must return at least 16 lowercase hex digits");
    }
    if (!value.includes(candidate)) return candidate;
  }
  throw new Error("githubEnvBlock: no delimiter absent from the value after 100 draws");
}
