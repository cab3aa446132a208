import { ConfigError } from "../errors.js";
import { MARKER_KEY_ID, MARKER_ROLE_ARN } from "../outputs/export-set.js";
import type { SourceResult } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface EnvSourceOptions {
  /** In `auto`, credentials this tool exported earlier are not a source: re-running the same eval must not chain. */
  readonly skipOwnExports: boolean;
}

/** Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (blank counts as unset). */
export function envSource(env: Env, options: EnvSourceOptions): SourceResult {
  const keyId = nonBlank(env.AWS_ACCESS_KEY_ID);
  const secret = nonBlank(env.AWS_SECRET_ACCESS_KEY);
  if (keyId === undefined && secret === undefined) {
    throw new SourceSkipped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (keyId === undefined || secret === undefined) {
    const [set, missing] = keyId === undefined ? ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"] : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    throw new ConfigError(`${set} is set but ${missing} is not: set both, or unset both to use another source`);
  }
  if (options.skipOwnExports && nonBlank(env[MARKER_KEY_ID]) === keyId) {
    throw new SourceSkipped(
      `the environment holds credentials a previous assume-role run exported (${MARKER_ROLE_ARN}=${env[MARKER_ROLE_ARN] ?? "?"})`,
    );
  }
  const sessionToken = nonBlank(env.AWS_SESSION_TOKEN) ?? nonBlank(env.AWS_SECURITY_TOKEN);
  const expirationText = nonBlank(env.AWS_CREDENTIAL_EXPIRATION);
  let expiration: Date | undefined;
  if (expirationText !== undefined) {
    expiration = new Date(expirationText);
    if (Number.isNaN(expiration.getTime())) {
      throw new ConfigError(`AWS_CREDENTIAL_EXPIRATION '${expirationText}': not an ISO 8601 time`);
    }
  }
  return {
    kind: "env",
    credentials: { accessKeyId: keyId, secretAccessKey: secret, sessionToken, expiration },
    identityKey: `key:${keyId}`,
    isRoleSession: sessionToken !== undefined,
  };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
