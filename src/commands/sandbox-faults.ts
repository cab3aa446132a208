import { UsageError } from "../errors.js";
import { IMDS_FAULT_KINDS, STS_FAULT_KINDS, type ImdsFaultKind, type StsFaultKind } from "../sandbox/fault-kinds.js";
import type { Faults } from "../sandbox/faults.js";

/** The fault flags of `assume-role sandbox`, as commander hands them over. */
export interface SandboxFaultOptions {
  readonly latency?: string | undefined;
  readonly stsThrottleFirst?: string | undefined;
  readonly sts5xxFirst?: string | undefined;
  readonly stsFault?: string | undefined;
  readonly stsSessionSeconds?: string | undefined;
  readonly imdsV1Only?: true | undefined;
  readonly imdsV2Required?: true | undefined;
  readonly imdsTokenUnanswered?: true | undefined;
  readonly imdsDown?: true | undefined;
  readonly imds401After?: string | undefined;
  readonly imdsFault?: string | undefined;
}

/** Pure: the flags → the sandbox's faults, plus how to name them on the start-up line. Bad values: exit 2, one line. */
export function sandboxFaults(o: SandboxFaultOptions): { faults: Partial<Faults>; shown: string[] } {
  const faults: Partial<Faults> = {
    latencyMs: o.latency === undefined ? undefined : milliseconds(o.latency, "--latency"),
    stsThrottleFirst: count(o.stsThrottleFirst, "--sts-throttle-first", 0),
    sts5xxFirst: count(o.sts5xxFirst, "--sts-5xx-first", 0),
    stsFault: kind<StsFaultKind>(o.stsFault, "--sts-fault", STS_FAULT_KINDS),
    stsSessionSeconds: count(o.stsSessionSeconds, "--sts-session-seconds", 1),
    imdsV1Only: o.imdsV1Only,
    imdsV2Required: o.imdsV2Required,
    imdsTokenUnanswered: o.imdsTokenUnanswered,
    imdsDown: o.imdsDown,
    imds401After: count(o.imds401After, "--imds-401-after", 1),
    imdsFault: kind<ImdsFaultKind>(o.imdsFault, "--imds-fault", IMDS_FAULT_KINDS),
  };
  const shown = Object.entries(o)
    .filter(([key, value]) => key in FLAGS && value !== undefined)
    .map(([key, value]) => (value === true ? FLAGS[key]! : `${FLAGS[key]} ${String(value)}`));
  return { faults: Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)), shown };
}

const FLAGS: Record<string, string> = {
  latency: "--latency",
  stsThrottleFirst: "--sts-throttle-first",
  sts5xxFirst: "--sts-5xx-first",
  stsFault: "--sts-fault",
  stsSessionSeconds: "--sts-session-seconds",
  imdsV1Only: "--imds-v1-only",
  imdsV2Required: "--imds-v2-required",
  imdsTokenUnanswered: "--imds-token-unanswered",
  imdsDown: "--imds-down",
  imds401After: "--imds-401-after",
  imdsFault: "--imds-fault",
};

/** 20ms, 1.5s, or a bare number of milliseconds. */
function milliseconds(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (m[2] === "s" ? 1000 : 1) : NaN;
  if (!Number.isFinite(ms) || ms > 600_000) throw new UsageError(`${flag} '${value}': expected a time like 20ms or 1.5s (at most 10 minutes)`);
  return Math.round(ms);
}

function count(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,9}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= min)) throw new UsageError(`${flag} '${value}': expected a whole number${min > 0 ? ` of at least ${min}` : ""}`);
  return n;
}

function kind<K extends string>(value: string | undefined, flag: string, kinds: readonly K[]): K | undefined {
  if (value === undefined) return undefined;
  const known = kinds.filter((k) => k !== "none");
  if (!(known as readonly string[]).includes(value)) throw new UsageError(`${flag} '${value}': expected one of ${known.join(", ")}`);
  return value as K;
}
