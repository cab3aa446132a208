import { ConfigError } from "../errors.js";
import { MARKER_KEY_ID, MARKER_ROLE_ARN } from "../markers.js";
import type { SourceResult } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";
import { nonBlank } from "../non-blank.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface EnvSourceOptions {
  /** In `auto`, credentials this tool exported earlier are not a source: re-running the same eval must not chain. */
  readonly skipOwnExports: boolean;
  readonly warn?: ((line: string) => void) | undefined;
}

/** Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (blank counts as unset). */
export function envSource(env: Env, options: EnvSourceOptions): SourceResult {
  const keyId = nonBlank(env.AWS_ACCESS_KEY_ID);
  const secret = nonBlank(env.AWS_SECRET_ACCESS_KEY);
  if (keyId === undefined && secret === undefined) {
    throw new SourceSkipped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (options.skipOwnExports && keyId !== undefined && nonBlank(env[MARKER_KEY_ID]) === keyId) {
    throw new SourceSkipped(
      `the environment holds credentials a previous assume-role run exported (${MARKER_ROLE_ARN}=${env[MARKER_ROLE_ARN] ?? "?"})`,
    );
  }
  if (keyId === undefined || secret === undefined) {
    const [set, missing] = keyId === undefined ? ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"] : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    throw new ConfigError(`${set} is set but ${missing} is not: set both, or unset both to use another source`);
  }
  const token = nonBlank(env.AWS_SESSION_TOKEN) ?? nonBlank(env.AWS_SECURITY_TOKEN);
  // A long-term key never has a session token: one left over from earlier exports would make STS refuse the key.
  const longTerm = keyId.startsWith("AKIA");
  if (longTerm && token !== undefined) {
    options.warn?.("warning: ignoring AWS_SESSION_TOKEN: AWS_ACCESS_KEY_ID is a long-term key (AKIA…), which takes no token");
  }
  const sessionToken = longTerm ? undefined : token;
  return {
    kind: "env",
    credentials: { accessKeyId: keyId, secretAccessKey: secret, sessionToken, expiration: parseExpiration(env) },
  };
}

function parseExpiration(env: Env): Date | undefined {
  const text = nonBlank(env.AWS_CREDENTIAL_EXPIRATION);
  if (text === undefined) return undefined;
  const expiration = new Date(text);
  if (Number.isNaN(expiration.getTime())) throw new ConfigError(`AWS_CREDENTIAL_EXPIRATION '${text}': not an ISO 8601 time`);
  return expiration;
}

