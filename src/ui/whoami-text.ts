import type { ChalkInstance } from "chalk";
import { formatChainMarker } from "../chain-marker.js";
import { isoSeconds } from "../iso-seconds.js";
import { formatDuration } from "../plan/parse-duration.js";
import { parseIdentityArn } from "../plan/role-arn.js";
import { secondsLeft, UNRECORDED, type HopReport, type SourceReport, type WhoamiReport } from "../outputs/whoami-report.js";

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  imds: "IMDS",
  env: "environment keys",
  container: "container credentials endpoint",
  "web-identity": "web identity",
  static: "profile keys",
  process: "credential_process",
  sso: "SSO",
};

/**
 * Pure: what `whoami` prints for people. The first line is always the identity's ARN, never coloured (alone
 * without --chain, `ARN=$(assume-role whoami)` must hold the ARN even where CI sets FORCE_COLOR); then who made
 * the environment's exports, then the source and each hop.
 */
export function whoamiText(report: WhoamiReport, now: Date, c: ChalkInstance): string {
  const lines = [report.identity.arn];
  const label = (text: string) => c.dim(text.padEnd(9));
  if (report.madeBy !== undefined) {
    const path = report.madeBy;
    const chain = path.source === UNRECORDED ? `${path.roles.join(" > ") || "?"} ${c.dim("(the chain before it was not recorded)")}` : formatChainMarker(path);
    lines.push(`${label("made by")}assume-role: ${chain}`);
    lines.push(`${label("expires")}${expiry(report.expiration, now, c)}`);
  }
  if (report.source !== undefined) lines.push(...sourceLines(report.source, report.hops ?? [], now, c));
  for (const hop of report.hops ?? []) lines.push(...hopLines(hop, report.hops ?? [], now, c));
  return `${lines.join("\n")}\n`;
}

function sourceLines(s: SourceReport, hops: readonly HopReport[], now: Date, c: ChalkInstance): string[] {
  const facts = [
    SOURCE_NAMES[s.kind] ?? s.kind,
    s.profile === undefined ? "" : `profile ${s.profile}`,
    s.role === undefined ? "" : s.kind === "imds" ? `instance profile role ${s.role}` : `role ${s.role}`,
    s.accessKeyId === undefined ? "" : `key ${s.accessKeyId}`,
  ].filter(Boolean);
  const head = `${c.dim("source".padEnd(9))}${facts.join(", ")}`;
  if (!s.asked) {
    const cached = hops.find((h) => h.from === "cache");
    return [`${head} ${c.dim(`(not asked: hop ${cached?.hop ?? "?"} came from the cache)`)}`];
  }
  const lines = [head];
  if (s.arn !== undefined) lines.push(`${" ".repeat(9)}${c.dim("as".padEnd(9))}${s.arn}`);
  if (s.expiration !== undefined) lines.push(`${" ".repeat(9)}${c.dim("expires".padEnd(9))}${expiry(s.expiration, now, c)}`);
  return lines;
}

function hopLines(h: HopReport, hops: readonly HopReport[], now: Date, c: ChalkInstance): string[] {
  const r = h.result;
  const indent = " ".repeat(9);
  const row = (name: string, value: string) => `${indent}${c.dim(name.padEnd(9))}${value}`;
  if (r === undefined) {
    const cached = hops.find((later) => later.hop > h.hop && later.from === "cache");
    return [`${c.dim(`hop ${h.hop}`.padEnd(9))}${h.role}`, row("from", c.dim(`not needed: hop ${cached?.hop ?? "?"} came from the cache, which holds nothing for this one`))];
  }
  return [
    `${c.dim(`hop ${h.hop}`.padEnd(9))}${c.bold(r.roleArn)}`,
    row("session", r.sessionName),
    row("as", r.assumedRoleArn),
    row("account", parseIdentityArn(r.assumedRoleArn)?.accountId ?? "?"),
    row("region", r.region),
    row("expires", expiry(r.credentials.expiration, now, c)),
    row("from", h.from === "cache" ? c.cyan("the cache (cached)") : "STS"),
  ];
}

/** `2030-01-01T00:00:00Z (59m left)`, or `... (expired 3m ago)` in red. */
function expiry(expiration: Date | undefined, now: Date, c: ChalkInstance): string {
  const left = secondsLeft(expiration, now);
  if (expiration === undefined || left === null) return c.dim("not known (no expiration given)");
  if (left <= 0) return c.red(`${isoSeconds(expiration)} (expired ${formatDuration(Math.max(60, -left) - (Math.max(60, -left) % 60))} ago)`);
  return `${isoSeconds(expiration)} (${formatDuration(left < 60 ? left : left - (left % 60))} left)`;
}
