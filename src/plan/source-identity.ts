import { sha256Hex } from "../sha256-hex.js";
import { nonBlank } from "../non-blank.js";
import type { ChainPlan } from "../types.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Pure: a stable, non-secret name of the credentials a plan starts from, known without asking the source: the
 * access key ID of environment or profile keys; the credential_process command; SSO start URL, account and role; the
 * web identity role, token source and session settings; the container endpoint (and a digest of its authorization
 * token, so a reused loopback port never serves another endpoint's entries); for IMDS, `imds` (the endpoint plus the
 * machine-and-boot identity, which the caller reads: an entry made on one machine or boot is never served on another).
 */
export function sourceIdentity(plan: ChainPlan, env: Env, imds: string): string {
  const source = plan.source;
  switch (plan.effectiveSource) {
    case "env":
      return `env:${nonBlank(env.AWS_ACCESS_KEY_ID) ?? ""}`;
    case "imds":
      return `imds:${imds}`;
    case "container": {
      const uri = nonBlank(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) ?? nonBlank(env.AWS_CONTAINER_CREDENTIALS_FULL_URI) ?? "";
      const token = nonBlank(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) ?? digest(env.AWS_CONTAINER_AUTHORIZATION_TOKEN);
      return `container:${uri}:${token}`;
    }
    case "web-identity": {
      const own = source.kind === "web-identity" ? source : undefined;
      const token = own?.token ?? (nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE) ? { kind: "file", path: env.AWS_WEB_IDENTITY_TOKEN_FILE } : { kind: "github" });
      const role = own?.roleArn ?? nonBlank(env.AWS_ROLE_ARN);
      const session = own?.sessionName ?? nonBlank(env.AWS_ROLE_SESSION_NAME) ?? null;
      return `web-identity:${JSON.stringify([role, token, session, own?.duration ?? null])}`;
    }
    case "static":
      return source.kind === "static" ? `key:${source.credentials.accessKeyId}` : "static";
    case "process":
      return source.kind === "process" ? `process:${source.command}` : "process";
    case "sso": {
      const s = source.kind === "sso" ? source.settings : {};
      return `sso:${JSON.stringify([s.sso_start_url ?? s.sso_session ?? null, s.sso_account_id ?? null, s.sso_role_name ?? null])}`;
    }
  }
}

function digest(secret: string | undefined): string {
  return secret === undefined ? "" : `sha256:${sha256Hex(secret).slice(0, 16)}`;
}
