import { isoSeconds } from "../iso-seconds.js";
import { nonBlank } from "../non-blank.js";
import { maskKeyId } from "../plan/describe-plan.js";
import { parseIdentityArn } from "../plan/role-arn.js";
import type { ChainPath, ChainPlan, ChainResult, HopResult } from "../types.js";

type Env = Readonly<Record<string, string | undefined>>;

/** ChainPath.source of exports that name only their role (ASSUME_ROLE_ARN): a run older than ASSUME_ROLE_CHAIN. */
export const UNRECORDED = "?";

/** Who the final credentials are, as GetCallerIdentity said. */
export interface Identity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** Where the chain started. Known from the plan when the source was not asked (a later hop came from the cache). */
export interface SourceReport {
  /** `imds`, `env`, `container`, `web-identity`, `static` (profile keys), `process`, `sso`. */
  readonly kind: string;
  readonly profile?: string | undefined;
  /** IMDS: the instance profile's role name; web identity: the role ARN. */
  readonly role?: string | undefined;
  /** The identity the source's credentials act as, when known without asking STS. */
  readonly arn?: string | undefined;
  /** Masked (`ASIA…MPLE`): enough to tell keys apart, never the whole key. */
  readonly accessKeyId?: string | undefined;
  readonly expiration?: Date | undefined;
  /** False when no hop needed the source (the cache answered): then only what the plan says is known. */
  readonly asked: boolean;
}

export interface HopReport {
  /** 1-based. */
  readonly hop: number;
  /** The role as planned (an ARN or a bare name). */
  readonly role: string;
  /** `sts`: asked now; `cache`: from the on-disk cache; `unknown`: not needed and not in the cache. */
  readonly from: "sts" | "cache" | "unknown";
  readonly result?: HopResult | undefined;
}

export interface WhoamiReport {
  readonly identity: Identity;
  readonly expiration?: Date | undefined;
  /** With --chain. */
  readonly source?: SourceReport | undefined;
  readonly hops?: readonly HopReport[] | undefined;
  /** The environment holds this tool's own exports: the chain that made them (ASSUME_ROLE_CHAIN). */
  readonly madeBy?: ChainPath | undefined;
}

/** Pure: the source and every hop of a run, from the plan and what the chain handed back (no request). */
export function chainReport(plan: ChainPlan, result: ChainResult, env: Env): Pick<WhoamiReport, "source" | "hops"> {
  const earlier = result.earlier ?? [];
  const offset = plan.hops.length - result.hops.length;
  const hops = plan.hops.map((hop, i): HopReport => {
    const role = hop.role.kind === "arn" ? hop.role.arn : hop.role.name;
    const found = i >= offset ? result.hops[i - offset] : earlier[i]?.result;
    return { hop: i + 1, role, from: found === undefined ? "unknown" : found.cached ? "cache" : "sts", result: found };
  });
  return { source: sourceReport(plan, result, env), hops };
}

function sourceReport(plan: ChainPlan, result: ChainResult, env: Env): SourceReport {
  const asked = result.source;
  const planned = plan.source;
  const profile = "profile" in planned ? planned.profile : undefined;
  const keyId = asked?.credentials.accessKeyId ?? (planned.kind === "static" ? planned.credentials.accessKeyId : plan.effectiveSource === "env" ? nonBlank(env.AWS_ACCESS_KEY_ID) : undefined);
  const role = asked?.roleName ?? (plan.effectiveSource === "web-identity" ? (planned.kind === "web-identity" ? planned.roleArn : undefined) ?? nonBlank(env.AWS_ROLE_ARN) : undefined);
  return {
    kind: asked?.kind ?? plan.effectiveSource,
    profile,
    role,
    arn: asked?.callerArn,
    accessKeyId: keyId === undefined ? undefined : maskKeyId(keyId),
    expiration: asked?.credentials.expiration,
    asked: asked !== undefined,
  };
}

/** Seconds from `now` to `expiration` (negative once expired); null when there is no expiration. */
export function secondsLeft(expiration: Date | undefined, now: Date): number | null {
  return expiration === undefined ? null : Math.floor((expiration.getTime() - now.getTime()) / 1000);
}

/**
 * Pure: the JSON `whoami --json` prints (field names are part of the contract, README "whoami"): unknown values
 * are null, never missing; `Source` and `Hops` only with --chain.
 */
export function whoamiJson(report: WhoamiReport, now: Date): Record<string, unknown> {
  const time = (d: Date | undefined) => (d === undefined ? null : isoSeconds(d));
  const out: Record<string, unknown> = {
    Account: report.identity.account,
    Arn: report.identity.arn,
    UserId: report.identity.userId,
    Expiration: time(report.expiration),
    SecondsLeft: secondsLeft(report.expiration, now),
    MadeBy: report.madeBy === undefined ? null : { Source: report.madeBy.source === UNRECORDED ? null : report.madeBy.source, Roles: report.madeBy.roles },
  };
  if (report.source !== undefined) {
    const s = report.source;
    out.Source = {
      Kind: s.kind,
      Profile: s.profile ?? null,
      Role: s.role ?? null,
      Arn: s.arn ?? null,
      AccessKeyId: s.accessKeyId ?? null,
      Expiration: time(s.expiration),
      SecondsLeft: secondsLeft(s.expiration, now),
      Asked: s.asked,
    };
  }
  if (report.hops !== undefined) {
    out.Hops = report.hops.map((h) => {
      const r = h.result;
      const expiration = r?.credentials.expiration;
      return {
        Hop: h.hop,
        Role: h.role,
        From: h.from,
        RoleArn: r?.roleArn ?? null,
        SessionName: r?.sessionName ?? null,
        AssumedRoleArn: r?.assumedRoleArn ?? null,
        Account: (r && parseIdentityArn(r.assumedRoleArn)?.accountId) ?? null,
        Region: r?.region ?? null,
        Expiration: time(expiration),
        SecondsLeft: secondsLeft(expiration, now),
      };
    });
  }
  return out;
}
