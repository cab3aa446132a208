import { runHopCall, type AnswerHop, type HopCall } from "../chain/assume-hop.js";
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { waitForLock, type FileLock, type LockEnv } from "../fs/file-lock.js";
import type { StepResult } from "../types.js";
import { UnsafePathError } from "../fs/unsafe-path-error.js";
import type { Logger } from "../ui/logger.js";
import { DEFAULT_MARGIN_SECONDS, isFresh, parseMargin } from "./cache-entry.js";
import { cacheDirectory, cacheFileName } from "./cache-key.js";
import { openCacheStore, type CacheStore } from "./cache-store.js";
import { isoMillis } from "../iso-seconds.js";

export interface CacheOptions {
  /** uid: the cache directory must be ours (fs/secure-dir.ts). */
  readonly env: LockEnv & Pick<Context, "uid">;
  /** Where entries live; undefined: nowhere to cache (no HOME), every hop goes to STS. */
  readonly dir: string | undefined;
  /** `off`: --no-cache; `refresh`: --refresh (do not read, do write); `use`: the default. */
  readonly mode: "use" | "refresh" | "off";
  /** An entry is reused while more than this is left before it expires. */
  readonly marginMs: number;
  readonly warn: (line: string) => void;
  readonly debug: (line: string) => void;
  /**
   * How long to wait for another process filling the same entry before going to STS alone (default 30 s:
   * the SDK bounds the STS call it waits for, retries included, at about 26 s).
   */
  readonly lockTimeoutMs?: number | undefined;
  /** A lock its holder has not refreshed for this long was left by a process that died (default 20 s). */
  readonly lockStaleMs?: number | undefined;
}

/** The options the CLI uses: XDG_CACHE_HOME / HOME, ASSUME_ROLE_CACHE_MARGIN, --no-cache, --refresh. */
export function cacheOptions(
  ctx: Context,
  flags: { cache?: boolean | undefined; refresh?: boolean | undefined; cacheMinFreshSeconds?: number | undefined },
  log: Logger,
): CacheOptions {
  const raw = ctx.env.ASSUME_ROLE_CACHE_MARGIN;
  let margin = raw === undefined || raw === "" ? DEFAULT_MARGIN_SECONDS : parseMargin(raw);
  if (margin === undefined) {
    log.warn(`warning: ASSUME_ROLE_CACHE_MARGIN='${raw}' is not a number of seconds or a span like 10m; using ${DEFAULT_MARGIN_SECONDS / 60}m`);
    margin = DEFAULT_MARGIN_SECONDS;
  }
  return {
    env: ctx,
    dir: cacheDirectory(ctx.env),
    mode: flags.cache === false ? "off" : flags.refresh ? "refresh" : "use",
    // A renewing endpoint needs entries that outlive its clients' refresh windows, whatever the margin says.
    marginMs: Math.max(margin, flags.cacheMinFreshSeconds ?? 0) * 1000,
    warn: log.warn,
    debug: log.debug,
  };
}

/**
 * Answer hops from the on-disk credential cache. A fresh entry is returned as `cached: true` without running the
 * hop, so without its caller, the source, IMDS or an MFA prompt. On a miss, the entry's lock is taken (waiting
 * processes pick up the entry as soon as the holder writes it), the hop runs, and the result is written
 * atomically. Any cache problem (unsafe directory, I/O error, lock timeout) is one warning, and the
 * hop goes to STS as if there were no cache: the cache never stops a chain. Waiting for another
 * process's STS call is bounded by lockTimeoutMs. A lock that is a symbolic link (or not a file) turns
 * the cache off for the rest of the run; the link is removed (the directory is private, so it was not
 * planted by another user) so that the next run has its cache back.
 */
export function withCache(options: CacheOptions): AnswerHop {
  const inner = runHopCall;
  if (options.mode === "off") return inner;
  const { env, debug } = options;
  let warned = false;
  const say = (line: string) => {
    if (warned) debug(line);
    else options.warn(line);
    warned = true;
  };
  const trouble = (what: string, err: unknown) => {
    const detail = err instanceof CliError ? `${err.message}${err.hint ? ` (${err.hint})` : ""}` : err instanceof Error ? err.message : String(err);
    say(`warning: credential cache: ${what}: ${detail}; continuing without it`);
  };
  let opened: Promise<CacheStore | undefined> | undefined;
  let unsafe = false;
  const store = () =>
    (opened ??=
      options.dir === undefined
        ? (debug("cache: neither XDG_CACHE_HOME nor HOME is set; not caching"), Promise.resolve(undefined))
        : openCacheStore(env, options.dir, debug).catch((err: unknown) => (trouble("cannot use the directory", err), undefined)));

  return async <R extends StepResult>(call: HopCall<R>): Promise<R> => {
    const s = unsafe ? undefined : await store();
    if (s === undefined) return inner(call);
    const key = cacheFileName(call.key);
    const role = call.label;
    const fresh = async (): Promise<R | undefined> => {
      const out = await s.read(key, call.key);
      if (out === undefined || !isFresh(out, env.now(), options.marginMs)) return undefined;
      debug(`cache: ${role} from ${s.dir}/${key}.json (expires ${isoMillis(out.credentials.expiration!)})`);
      // The entry was written for exactly this key (checked on read), so by this kind of call.
      return { ...out, cached: true } as R;
    };
    if (options.mode === "use") {
      const hit = await fresh();
      if (hit) return hit;
    }
    let lock: FileLock | undefined;
    let found: R | undefined;
    try {
      lock = await waitForLock(env, s.lockPath(key), {
        timeoutMs: options.lockTimeoutMs ?? 30_000,
        staleMs: options.lockStaleMs ?? 20_000,
        debug,
        shouldStop: options.mode === "use" ? async () => (found = await fresh()) !== undefined : undefined,
      });
    } catch (err) {
      if (err instanceof UnsafePathError) {
        unsafe = true;
        const removed = await env.fs.unlink(err.path).then(() => "; removed it", () => `; remove it`);
        say(`warning: credential cache: ${err.message}${removed}; continuing without the cache for this run`);
      } else {
        trouble(`cannot lock the entry for ${role}`, err);
      }
      return inner(call);
    }
    if (lock === undefined) return found!;
    try {
      if (options.mode === "use") {
        const hit = await fresh();
        if (hit) return hit;
      }
      debug(`cache: ${options.mode === "refresh" ? "--refresh" : "no fresh entry"} for ${role}; calling STS`);
      const out = await inner(call);
      await s.write(key, call.key, out).catch((err: unknown) => trouble(`cannot write the entry for ${role}`, err));
      return out;
    } finally {
      await lock.release().catch(() => undefined);
    }
  };
}
