import type { HopOutput } from "../chain/assume-hop.js";

/**
 * What one cache file holds: the hop's credentials, the assumed-role ARN, the expiration, and the
 * chain key it answers (checked on read). Never the MFA code, never the caller's credentials.
 */
export interface CacheEntry {
  readonly version: 1;
  readonly key: readonly string[];
  /** The configured STS endpoint; absent for AWS's own. */
  readonly endpoint?: string | undefined;
  readonly assumedRoleArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration: string;
}

export function entryOf(chainKey: readonly string[], endpoint: string | undefined, out: HopOutput): CacheEntry | undefined {
  const c = out.credentials;
  if (!c.expiration) return undefined;
  return {
    version: 1,
    key: chainKey,
    endpoint,
    assumedRoleArn: out.assumedRoleArn,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: c.expiration.toISOString(),
  };
}

/** Parse a cache file; a string saying what is wrong when it is not a complete entry for `chainKey`. */
export function parseEntry(text: string, chainKey: readonly string[], endpoint: string | undefined): HopOutput | string {
  let v: Partial<Record<keyof CacheEntry, unknown>>;
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return text.length === 0 ? "empty file" : "not JSON";
  }
  if (typeof v !== "object" || v === null || v.version !== 1) return "not a version-1 entry";
  if (JSON.stringify(v.key) !== JSON.stringify(chainKey)) return "written for another chain";
  if ((v.endpoint ?? undefined) !== endpoint) return "written for another STS endpoint";
  const strings = ["assumedRoleArn", "accessKeyId", "secretAccessKey", "expiration"] as const;
  for (const field of strings) if (typeof v[field] !== "string" || v[field] === "") return `no ${field}`;
  if (v.sessionToken !== undefined && typeof v.sessionToken !== "string") return "sessionToken is not a string";
  const expiration = new Date(v.expiration as string);
  if (Number.isNaN(expiration.getTime())) return "expiration is not a date";
  return {
    assumedRoleArn: v.assumedRoleArn as string,
    credentials: {
      accessKeyId: v.accessKeyId as string,
      secretAccessKey: v.secretAccessKey as string,
      sessionToken: v.sessionToken as string | undefined,
      expiration,
    },
  };
}

/** Usable while more than `marginMs` of its life is left. */
export function isFresh(out: HopOutput, now: Date, marginMs: number): boolean {
  const expiration = out.credentials.expiration;
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
