import type { ChalkInstance } from "chalk";
import type { ChainPlan, EffectiveSource, Hop, MfaCommand, RegionPlan, SourcePlan } from "../types.js";
import { CHAINED_MAX_DURATION, formatDuration, MAX_DURATION } from "./parse-duration.js";
import { IMDS_DEFAULT_TEMPLATE, OTHER_DEFAULT_TEMPLATE } from "./session-name.js";
import { nonBlank } from "../non-blank.js";
import { isoMillis } from "../iso-seconds.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Pure: the human-readable plan that --dry-run prints (no network). One line for the source, then
 * each hop with its session-name template, the duration it will ask for after the chained-session
 * cap, external ID, MFA device and the profile it came from. Key IDs are masked; secrets never shown.
 * `colour` (ctx.colours.out, plain unless stdout is a terminal) makes the line labels bold.
 */
export function describePlan(plan: ChainPlan, env: Env, colour?: ChalkInstance): string {
  const lines = [`source: ${describeSource(plan.source, env, plan.effectiveSource)}`];
  const session = plan.session;
  if (session !== undefined) {
    lines.push(`MFA session: GetSessionToken with ${session.serial} for ${formatDuration(session.durationSeconds)} (mfa_serial of profile ${session.profile}; reused from the cache while fresh)`);
    lines.push(`  code: ${codeFrom(session.mfaProcess)}`);
  }
  let inherited: string[] = [];
  plan.hops.forEach((hop, i) => {
    lines.push(...describeHop(hop, i, inherited, i === 0 && session !== undefined));
    inherited = [...inherited, ...transitiveTags(hop)];
  });
  if (plan.hops.length === 0) lines.push("hops: none (the source credentials are the result)");
  lines.push(`region: ${describeRegion(plan.region)}`);
  const label = (line: string) => line.replace(/^( *)([^:]+:)/, (_, indent: string, name: string) => indent + colour!.bold(name));
  return `${(colour === undefined ? lines : lines.map(label)).join("\n")}\n`;
}

function describeRegion(region: RegionPlan): string {
  if (region.kind === "set") return `${region.region} (${region.origin})`;
  if (region.kind === "imds") return `the instance's (IMDS placement/region), else ${region.fallback}`;
  return `${region.region} (the partition's default: none was set)`;
}

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`. */
export function maskKeyId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : `…${id.slice(-4)}`;
}

function describeSource(source: SourcePlan, env: Env, effective: EffectiveSource): string {
  const from = source.profile === undefined ? "" : `, from profile ${source.profile}`;
  switch (source.kind) {
    case "auto": {
      const text = describeSource({ kind: effective } as SourcePlan, env, effective);
      const settings = source.profile === undefined ? "" : `; profile ${source.profile} holds only settings, so they apply and the credentials come from this chain`;
      return `auto → ${text} (decided from the environment; tried in order: environment keys, web identity, container, IMDS${settings})`;
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
      const extra = [c.sessionToken ? "with a session token" : "", c.expiration ? `expires ${isoMillis(c.expiration)}` : "", source.accountId ? `account ${source.accountId}` : ""];
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

function describeHop(hop: Hop, index: number, inherited: readonly string[], afterMfaSession: boolean): string[] {
  const role = hop.role.kind === "arn" ? hop.role.arn : `${hop.role.name} (bare name: completed at run time with the account before this hop)`;
  const lines = [`hop ${index + 1}: ${role}${hop.profile === undefined ? "" : ` (profile ${hop.profile})`}`];
  const isDefault = hop.sessionTemplate === IMDS_DEFAULT_TEMPLATE || hop.sessionTemplate === OTHER_DEFAULT_TEMPLATE;
  lines.push(`  session name: ${hop.sessionTemplate}${isDefault ? " (default)" : ""}`);
  lines.push(`  duration: ${describeDuration(hop, afterMfaSession)}`);
  const p = hop.params;
  if (p.ExternalId !== undefined) lines.push(`  external id: ${p.ExternalId}`);
  if (p.SerialNumber !== undefined) lines.push(`  MFA: ${p.SerialNumber} (code ${codeFrom(hop.mfaProcess)})`);
  if (p.SourceIdentity !== undefined) lines.push(`  source identity: ${p.SourceIdentity}`);
  if (p.Tags?.length) lines.push(`  tags: ${p.Tags.map((t) => `${t.Key}=${t.Value}`).join(", ")}`);
  if (p.TransitiveTagKeys?.length) lines.push(`  transitive tag keys: ${p.TransitiveTagKeys.join(", ")} (passed on to every later session)`);
  if (inherited.length) lines.push(`  inherited transitive tags: ${inherited.join(", ")} (not sent again)`);
  if (p.Policy !== undefined) lines.push(`  session policy: inline (${p.Policy.length} characters)`);
  if (p.PolicyArns?.length) lines.push(`  session policy ARNs: ${p.PolicyArns.map((a) => a.arn).join(", ")}`);
  return lines;
}

/** `KEY=VALUE` of the tags this hop makes transitive. */
function transitiveTags(hop: Hop): string[] {
  const keys = new Set((hop.params.TransitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  return (hop.params.Tags ?? []).filter((t) => keys.has((t.Key ?? "").toLowerCase())).map((t) => `${t.Key}=${t.Value}`);
}

function describeDuration(hop: Hop, afterMfaSession: boolean): string {
  const text = formatDuration(hop.params.DurationSeconds);
  const why = !hop.chained ? "not chained" : afterMfaSession ? "chained: its caller is the MFA session" : "chained: its caller is a role session";
  const asked = hop.askedDuration;
  if (asked === undefined) return `${text} (default)`;
  if (asked === "max") return hop.chained ? `${text} (max; capped at ${formatDuration(CHAINED_MAX_DURATION)}, ${why})` : `${formatDuration(MAX_DURATION)} (max)`;
  if (asked !== hop.params.DurationSeconds) return `${text} (asked ${formatDuration(asked)}; capped at ${formatDuration(CHAINED_MAX_DURATION)}, ${why})`;
  return text;
}

/** Where the code comes from: the command is named by where it was set, never by its text (it may hold a TOTP seed). */
function codeFrom(process: MfaCommand | undefined): string {
  return process === undefined ? "from --mfa-token or asked on the terminal" : `printed by the command of ${process.origin}`;
}

function envToken(env: Env): string | undefined {
  return nonBlank(env.AWS_SESSION_TOKEN) ?? nonBlank(env.AWS_SECURITY_TOKEN);
}

