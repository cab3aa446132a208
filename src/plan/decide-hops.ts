import type { EffectiveSource, Hop, HopParams, HopPlan } from "../types.js";
import { CHAINED_MAX_DURATION, decideDuration, formatDuration, MAX_DURATION } from "./parse-duration.js";
import { IMDS_DEFAULT_TEMPLATE, OTHER_DEFAULT_TEMPLATE } from "./session-name.js";

export interface HopContext {
  readonly source: EffectiveSource;
  /** The source hands out a role session: its first hop is chained too. */
  readonly sourceIsRoleSession: boolean;
  /**
   * An MFA session (GetSessionToken) signs the first hop: AWS is observed to cap AssumeRole from such a session at
   * 1 h, as for role chaining (protocol reference §2.3), so that hop is chained too.
   */
  readonly afterMfaSession?: boolean | undefined;
  /** The CI run's identity (GitHub, GitLab): the default session name there. */
  readonly ciSessionName?: string | undefined;
}

/**
 * Pure: each requested hop → the hop the chain will run, every decision made here and only here: whether it is
 * chained (its caller is a role session or an MFA session), the DurationSeconds it sends (default 1 h, `max` 12 h unchained, chained
 * hops capped at 1 h with a warning naming where the duration came from), its session-name template, and its
 * parameters as the SDK names them. Session tags go on every hop, except that a tag made transitive by an earlier hop
 * is inherited and never sent again (AWS refuses a tag whose key matches an inherited transitive tag).
 */
export function decideHops(requested: readonly HopPlan[], ctx: HopContext): { hops: Hop[]; warnings: string[] } {
  const warnings: string[] = [];
  const inherited = new Set<string>();
  const hops = requested.map((hop, index): Hop => {
    const fromSession = index === 0 && ctx.afterMfaSession === true;
    const chained = index > 0 || ctx.sourceIsRoleSession || fromSession;
    const duration = decideDuration(hop.duration, chained);
    if (duration.cappedFrom !== undefined) {
      const role = hop.role.kind === "arn" ? hop.role.arn : hop.role.name;
      const origin = hop.durationOrigin ?? "--duration";
      const asked = origin === "--duration" ? `--duration ${formatDuration(duration.cappedFrom)}` : `${origin} (${formatDuration(duration.cappedFrom)})`;
      const why = fromSession ? "AWS caps sessions assumed with an MFA session (GetSessionToken) at 1 hour" : "AWS caps sessions assumed by role chaining at 1 hour";
      warnings.push(`warning: ${asked} lowered to 1h for ${role}: ${why}`);
    }
    const tags = (hop.tags ?? []).filter((t) => !inherited.has(t.key.toLowerCase()));
    const transitive = (hop.transitiveTagKeys ?? []).filter((k) => !inherited.has(k.toLowerCase()));
    for (const key of transitive) inherited.add(key.toLowerCase());
    const params: HopParams = {
      DurationSeconds: duration.seconds,
      ExternalId: hop.externalId,
      SerialNumber: hop.mfaSerial,
      SourceIdentity: hop.sourceIdentity,
      Tags: tags.length ? tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined,
      TransitiveTagKeys: transitive.length ? transitive : undefined,
      Policy: hop.policy,
      PolicyArns: hop.policyArns?.length ? hop.policyArns.map((arn) => ({ arn })) : undefined,
    };
    return {
      role: hop.role,
      sessionTemplate: hop.sessionName ?? ctx.ciSessionName ?? (ctx.source === "imds" ? IMDS_DEFAULT_TEMPLATE : OTHER_DEFAULT_TEMPLATE),
      chained,
      params: withoutUndefined(params),
      askedDuration: hop.duration,
      durationFallback: hop.duration === "max" && !chained && duration.seconds === MAX_DURATION ? CHAINED_MAX_DURATION : undefined,
      ...(hop.mfaSerial === undefined || hop.mfaProcess === undefined ? {} : { mfaProcess: hop.mfaProcess }),
      profile: hop.profile,
    };
  });
  return { hops, warnings };
}

/** Absent, not `undefined`: the cache key and the request are the same whichever way a field was left out. */
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
