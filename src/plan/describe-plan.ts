import { githubOidcAvailable } from "../sources/ci-identity.js";
import { MARKER_KEY_ID } from "../outputs/export-set.js";
import type { ChainPlan, HopPlan, SourcePlan, Tag } from "../types.js";
import { CHAINED_MAX_DURATION, decideDuration, formatDuration, MAX_DURATION } from "./parse-duration.js";
import { IMDS_DEFAULT_TEMPLATE, OTHER_DEFAULT_TEMPLATE } from "./session-name.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Pure: the human-readable plan that --dry-run prints (no network). One line for the source, then
 * each hop with its session-name template, the duration it will ask for after the chained-session
 * cap, external ID, MFA device and the profile it came from. Key IDs are masked; secrets never shown.
 */
export function describePlan(plan: ChainPlan, env: Env): string {
  const source = effectiveSource(plan.source, env);
  const lines = [`source: ${describeSource(plan.source, env)}`];
  let inherited: Tag[] = [];
  plan.hops.forEach((hop, i) => {
    lines.push(...describeHop(hop, i, i > 0 || source.roleSession, source.kind, inherited));
    inherited = [...inherited, ...transitiveTags(hop)];
  });
  if (plan.hops.length === 0) lines.push("hops: none (the source credentials are the result)");
  lines.push(`region: ${plan.region ?? "not set: the IMDS region when the source is IMDS, else the partition's default (us-east-1)"}`);
  return `${lines.join("\n")}\n`;
}

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`. */
export function maskKeyId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : `…${id.slice(-4)}`;
}

interface Effective {
  /** What the source will be at run time (`auto` decided from the environment as the runner will). */
  readonly kind: SourcePlan["kind"];
  /** Its credentials are a role session, so even the first hop is chained (1-hour cap). */
  readonly roleSession: boolean;
}

function effectiveSource(source: SourcePlan, env: Env): Effective {
  switch (source.kind) {
    case "auto":
      return effectiveSource({ kind: autoKind(env) } as SourcePlan, env);
    case "env":
      return { kind: "env", roleSession: envToken(env) !== undefined };
    case "static":
      return { kind: "static", roleSession: nonBlank(source.credentials.sessionToken) !== undefined };
    default:
      // imds, container, web identity and SSO hand out role sessions; a credential_process may.
      return { kind: source.kind, roleSession: true };
  }
}

/** The order `auto` tries: foreign environment keys, web identity, container, IMDS. */
function autoKind(env: Env): "env" | "web-identity" | "container" | "imds" {
  const keyId = nonBlank(env.AWS_ACCESS_KEY_ID);
  if (keyId !== undefined && nonBlank(env.AWS_SECRET_ACCESS_KEY) !== undefined && nonBlank(env[MARKER_KEY_ID]) !== keyId) return "env";
  const webToken = nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE) !== undefined || githubOidcAvailable(env);
  if (webToken && nonBlank(env.AWS_ROLE_ARN) !== undefined) return "web-identity";
  if (nonBlank(env.AWS_CONTAINER_CREDENTIALS_FULL_URI) ?? nonBlank(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)) return "container";
  return "imds";
}

function describeSource(source: SourcePlan, env: Env): string {
  const from = source.profile === undefined ? "" : `, from profile ${source.profile}`;
  switch (source.kind) {
    case "auto": {
      const kind = autoKind(env);
      const text = describeSource({ kind } as SourcePlan, env);
      return `auto → ${text} (decided from the environment; tried in order: environment keys, web identity, container, IMDS)`;
    }
    case "imds":
      return `IMDS (instance profile)${from}`;
    case "env": {
      const keyId = nonBlank(env.AWS_ACCESS_KEY_ID);
      const token = envToken(env) === undefined ? "" : " with a session token";
      return keyId === undefined ? `environment (AWS_ACCESS_KEY_ID is not set)${from}` : `environment (AWS_ACCESS_KEY_ID ${maskKeyId(keyId)}${token})${from}`;
    }
    case "container":
      return `container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI)${from}`;
    case "static": {
      const c = source.credentials;
      const extra = [c.sessionToken ? "with a session token" : "", c.expiration ? `expires ${c.expiration.toISOString()}` : "", source.accountId ? `account ${source.accountId}` : ""];
      return `profile ${source.profile} (static keys ${maskKeyId(c.accessKeyId)}${extra.filter(Boolean).map((e) => `, ${e}`).join("")})`;
    }
    case "web-identity": {
      const role = source.roleArn ?? (nonBlank(env.AWS_ROLE_ARN) ? `${env.AWS_ROLE_ARN} (AWS_ROLE_ARN)` : "AWS_ROLE_ARN");
      const token = source.token ?? (nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE) ? { kind: "file" as const, path: env.AWS_WEB_IDENTITY_TOKEN_FILE! } : undefined);
      const tokenText = token === undefined ? "the CI's OIDC token" : token.kind === "file" ? `token file ${token.path}` : token.kind === "env" ? `token in $${token.name}` : "GitHub Actions OIDC token";
      const session = source.sessionName === undefined ? "" : `, session name ${source.sessionName}`;
      const duration = source.duration === undefined ? "" : `, duration ${source.duration === "max" ? "max" : formatDuration(source.duration)}`;
      return `web identity: AssumeRoleWithWebIdentity ${role} with ${tokenText}${session}${duration}${from}`;
    }
    case "process":
      return `profile ${source.profile} (credential_process: ${source.command})`;
    case "sso": {
      const s = source.settings;
      const parts = [
        s.sso_account_id ? `account ${s.sso_account_id}` : "",
        s.sso_role_name ? `role ${s.sso_role_name}` : "",
        s.sso_session ? `sso-session ${s.sso_session}` : "",
        s.sso_start_url ? `start URL ${s.sso_start_url}` : "",
        s.sso_region ? `region ${s.sso_region}` : "",
      ].filter(Boolean);
      return `profile ${source.profile} (SSO: ${parts.join(", ")}; token cached by aws sso login)`;
    }
  }
}

function describeHop(hop: HopPlan, index: number, chained: boolean, sourceKind: SourcePlan["kind"], inherited: readonly Tag[]): string[] {
  const role = hop.role.kind === "arn" ? hop.role.arn : `${hop.role.name} (bare name: completed at run time with the account before this hop)`;
  const lines = [`hop ${index + 1}: ${role}${hop.profile === undefined ? "" : ` (profile ${hop.profile})`}`];
  const template = hop.sessionName ?? (sourceKind === "imds" ? IMDS_DEFAULT_TEMPLATE : OTHER_DEFAULT_TEMPLATE);
  lines.push(`  session name: ${template}${hop.sessionName === undefined ? " (default)" : ""}`);
  lines.push(`  duration: ${describeDuration(hop.duration, chained)}`);
  if (hop.externalId !== undefined) lines.push(`  external id: ${hop.externalId}`);
  if (hop.mfaSerial !== undefined) lines.push(`  MFA: ${hop.mfaSerial} (code from --mfa-token or asked on the terminal)`);
  if (hop.sourceIdentity !== undefined) lines.push(`  source identity: ${hop.sourceIdentity}`);
  if (hop.tags?.length) lines.push(`  tags: ${hop.tags.map((t) => `${t.key}=${t.value}`).join(", ")}`);
  if (hop.transitiveTagKeys?.length) lines.push(`  transitive tag keys: ${hop.transitiveTagKeys.join(", ")} (passed on to every later session)`);
  if (inherited.length) lines.push(`  inherited transitive tags: ${inherited.map((t) => `${t.key}=${t.value}`).join(", ")} (not sent again)`);
  if (hop.policy !== undefined) lines.push(`  session policy: inline (${hop.policy.length} characters)`);
  if (hop.policyArns?.length) lines.push(`  session policy ARNs: ${hop.policyArns.join(", ")}`);
  return lines;
}

function transitiveTags(hop: HopPlan): Tag[] {
  const keys = new Set((hop.transitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  return (hop.tags ?? []).filter((t) => keys.has(t.key.toLowerCase()));
}

function describeDuration(requested: HopPlan["duration"], chained: boolean): string {
  const decided = decideDuration(requested, chained);
  const text = formatDuration(decided.seconds);
  const why = chained ? "chained: its caller is a role session" : "not chained";
  if (requested === undefined) return `${text} (default)`;
  if (requested === "max") return chained ? `${text} (max; capped at ${formatDuration(CHAINED_MAX_DURATION)}, ${why})` : `${formatDuration(MAX_DURATION)} (max)`;
  if (decided.cappedFrom !== undefined) return `${text} (asked ${formatDuration(decided.cappedFrom)}; capped at ${formatDuration(CHAINED_MAX_DURATION)}, ${why})`;
  return text;
}

function envToken(env: Env): string | undefined {
  return nonBlank(env.AWS_SESSION_TOKEN) ?? nonBlank(env.AWS_SECURITY_TOKEN);
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
