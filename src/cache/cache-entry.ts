import type { Credentials, HopResult, SessionResult, StepResult } from "../types.js";
import { isoMillis } from "../iso-seconds.js";

/**
 * What one cache file holds: one hop's result (role, assumed-role ARN, session name, duration, region, the
 * credentials and their expiration), or an MFA session's (`kind: "mfa-session"`: the device's serial instead of the
 * role fields), and the key it answers (checked on read). Never an MFA code, never the caller's credentials.
 */
export type CacheEntry = {
  readonly version: 2;
  readonly key: readonly string[];
  readonly durationSeconds: number;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration: string;
} & (
  | {
      readonly kind?: undefined;
      readonly roleArn: string;
      readonly assumedRoleArn: string;
      readonly sessionName: string;
      readonly exportRegion?: string | undefined;
    }
  | { readonly kind: "mfa-session"; readonly serial: string }
);

export function entryOf(key: readonly string[], step: StepResult): CacheEntry | undefined {
  const c = step.credentials;
  if (!c.expiration) return undefined;
  const common = {
    version: 2,
    key,
    durationSeconds: step.durationSeconds,
    region: step.region,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: isoMillis(c.expiration),
  } as const;
  if ("kind" in step) return { ...common, kind: "mfa-session", serial: step.serial };
  return { ...common, roleArn: step.roleArn, assumedRoleArn: step.assumedRoleArn, sessionName: step.sessionName, exportRegion: step.exportRegion };
}

const STRINGS = ["region", "accessKeyId", "secretAccessKey", "expiration"] as const;
const HOP_STRINGS = ["roleArn", "assumedRoleArn", "sessionName"] as const;

type Fields = Partial<Record<"kind" | "serial" | "exportRegion" | (typeof HOP_STRINGS)[number] | keyof CacheEntry, unknown>>;

/** Parse a cache file; a string saying what is wrong when it is not a complete entry for `key`. */
export function parseEntry(text: string, key: readonly string[]): StepResult | string {
  let v: Fields;
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return text.length === 0 ? "empty file" : "not JSON";
  }
  if (typeof v !== "object" || v === null || v.version !== 2) return "not a version-2 entry";
  if (JSON.stringify(v.key) !== JSON.stringify(key)) return "written for another chain";
  const session = v.kind === "mfa-session";
  if (v.kind !== undefined && !session) return `unknown kind ${JSON.stringify(v.kind)}`;
  for (const field of [...STRINGS, ...(session ? (["serial"] as const) : HOP_STRINGS)]) {
    if (typeof v[field] !== "string" || v[field] === "") return `no ${field}`;
  }
  if (typeof v.durationSeconds !== "number") return "no durationSeconds";
  for (const field of ["sessionToken", "exportRegion"] as const) {
    if (v[field] !== undefined && typeof v[field] !== "string") return `${field} is not a string`;
  }
  const expiration = new Date(v.expiration as string);
  if (Number.isNaN(expiration.getTime())) return "expiration is not a date";
  const credentials: Credentials = {
    accessKeyId: v.accessKeyId as string,
    secretAccessKey: v.secretAccessKey as string,
    sessionToken: v.sessionToken as string | undefined,
    expiration,
  };
  if (session) {
    return { kind: "mfa-session", serial: v.serial as string, durationSeconds: v.durationSeconds, region: v.region as string, credentials } satisfies SessionResult;
  }
  return {
    roleArn: v.roleArn as string,
    assumedRoleArn: v.assumedRoleArn as string,
    sessionName: v.sessionName as string,
    durationSeconds: v.durationSeconds,
    region: v.region as string,
    exportRegion: v.exportRegion as string | undefined,
    credentials,
  } satisfies HopResult;
}

/** Usable while more than `marginMs` of its life is left. */
export function isFresh(hop: Pick<StepResult, "credentials">, now: Date, marginMs: number): boolean {
  const expiration = hop.credentials.expiration;
  return expiration !== undefined && expiration.getTime() - now.getTime() > marginMs;
}

export const DEFAULT_MARGIN_SECONDS = 600;

/** ASSUME_ROLE_CACHE_MARGIN: seconds (`600`) or a span (`10m`, `1h`, `1h30m`, `90s`); undefined if malformed. */
export function parseMargin(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || t === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
