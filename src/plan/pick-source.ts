import { MARKER_KEY_ID } from "../markers.js";
import { githubOidcAvailable } from "../ci-identity.js";
import { nonBlank } from "../non-blank.js";
import type { EffectiveSource, SourcePlan } from "../types.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Pure: which source `auto` will use, decided from the environment alone, in the documented order: environment keys
 * that assume-role did not export itself, web identity (token file or GitHub OIDC, with AWS_ROLE_ARN), container, IMDS.
 * The sources decide "configured here" from the same variables, so the run agrees with the plan.
 */
export function effectiveSource(source: SourcePlan, env: Env): EffectiveSource {
  if (source.kind !== "auto") return source.kind;
  const keyId = nonBlank(env.AWS_ACCESS_KEY_ID);
  const secret = nonBlank(env.AWS_SECRET_ACCESS_KEY);
  if ((keyId !== undefined || secret !== undefined) && (keyId === undefined || nonBlank(env[MARKER_KEY_ID]) !== keyId)) return "env";
  const webToken = nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE) !== undefined || githubOidcAvailable(env);
  if (webToken && nonBlank(env.AWS_ROLE_ARN) !== undefined) return "web-identity";
  if (nonBlank(env.AWS_CONTAINER_CREDENTIALS_FULL_URI) ?? nonBlank(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)) return "container";
  return "imds";
}

/**
 * Whether the source's credentials are a role session, so that AssumeRole with them is role chaining (1-hour cap).
 * IMDS, web identity, containers and SSO hand out role sessions. Temporary keys (a session token) count as one too:
 * AWS caps AssumeRole from a GetSessionToken session at 1 hour as well, and the plan must not need STS to know.
 */
export function sourceIsRoleSession(source: SourcePlan, kind: EffectiveSource, env: Env): boolean {
  switch (kind) {
    case "env":
      return nonBlank(env.AWS_SESSION_TOKEN) !== undefined || nonBlank(env.AWS_SECURITY_TOKEN) !== undefined
        ? !(nonBlank(env.AWS_ACCESS_KEY_ID) ?? "").startsWith("AKIA")
        : false;
    case "static":
      return source.kind === "static" && nonBlank(source.credentials.sessionToken) !== undefined;
    default:
      return true;
  }
}
