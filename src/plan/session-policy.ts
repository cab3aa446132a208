import { UsageError } from "../errors.js";

/** AWS's limit on the plaintext of a session policy, and the characters its model allows. */
export const MAX_SESSION_POLICY_CHARS = 2048;
const POLICY_CHARS = /^[\t\n\r\u0020-\u00FF]*$/;

/**
 * Pure: the text of a `--policy` file → the session policy sent to STS (surrounding whitespace trimmed),
 * or a usage error naming the file and the rule it breaks. STS would refuse each of these after the
 * earlier hops had already been paid for.
 */
export function checkSessionPolicy(text: string, path: string): string {
  const policy = text.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch (err) {
    throw new UsageError(`--policy '${path}': not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--policy '${path}': must be a JSON object (a policy document with Version and Statement)`);
  }
  if (policy.length > MAX_SESSION_POLICY_CHARS) {
    throw new UsageError(`--policy '${path}': ${policy.length} characters; AWS allows at most ${MAX_SESSION_POLICY_CHARS} in a session policy`);
  }
  const bad = [...policy].find((c) => !POLICY_CHARS.test(c));
  if (bad !== undefined) {
    const code = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    throw new UsageError(`--policy '${path}': contains ${code}; AWS accepts only tab, line breaks and characters U+0020-U+00FF in a session policy`);
  }
  return policy;
}
