/**
 * A cross-process lock file. What it guards is cheap to lose (at worst one extra STS call, or a
 * profile write redone), so the protocol is small:
 * - taken by creating the file with O_EXCL (never through a link: O_EXCL fails on any existing name);
 * - while held, its mtime is refreshed every staleMs/4 (a heartbeat through the open descriptor), so a
 *   live holder's lock always looks fresh, however long it holds it (an MFA prompt);
 * - a lock was left by a process that died when its pid runs no process on this host (asked with
 *   signal 0, Context.isProcessRunning), or when its mtime is older than `staleMs` (another host, or the
 *   pid reused by an unrelated process): it is removed, by one waiter at a time;
 * - a waiter gives up when one holder has kept the lock for `timeoutMs` of its wait (LockTimeoutError);
 *   while the lock changes hands the queue is moving, and the wait goes on;
 * - a symbolic link or anything but a regular file at the path is refused at once (UnsafePathError):
 *   assume-role never makes one, and waiting would not make it go away.
 * A running pid proves nothing (pids are reused), so only the heartbeat keeps a lock alive; `staleMs`
 * must exceed how long a busy holder's event loop may stall (module loading on a loaded machine).
 */
import type { FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { errnoOf, isErrno, UnsafePathError } from "./unsafe-path-error.js";
import { isoMillis } from "../iso-seconds.js";

export type LockEnv = Pick<Context, "fs" | "pid" | "now" | "hostname" | "isProcessRunning">;

export interface LockOptions {
  /** Give up after waiting this long for one holder (default 10 s). */
  readonly timeoutMs?: number | undefined;
  /** A lock not refreshed for this long belongs to a dead process and is removed (default 10 s). */
  readonly staleMs?: number | undefined;
  readonly debug?: ((line: string) => void) | undefined;
}

export interface FileLock {
  readonly path: string;
  /** Stop the heartbeat and remove the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export class LockTimeoutError extends ConfigError {
  override name = "LockTimeoutError";
  constructor(path: string, waitedMs: number, holder: string | undefined) {
    super(`${path} is held${holder ? ` by ${holder}` : ""}; gave up after ${(waitedMs / 1000).toFixed(1)} s`, {
      hint: `if no assume-role is running, remove ${path}`,
    });
  }
}

/** Take the lock, waiting at most `timeoutMs` for any one holder. Throws LockTimeoutError or UnsafePathError. */
export async function acquireLock(env: LockEnv, path: string, options: LockOptions = {}): Promise<FileLock> {
  const lock = await waitForLock(env, path, options);
  if (lock === undefined) throw new Error("unreachable: waitForLock without shouldStop");
  return lock;
}

/** Run `fn` holding the lock on `path`; the lock is released however `fn` ends. */
export async function withFileLock<T>(env: LockEnv, path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(env, path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * As acquireLock, but between attempts `shouldStop` may end the wait (it returns true once what the
 * lock protects is no longer needed, e.g. another process filled the cache): then resolves undefined.
 */
export async function waitForLock(
  env: LockEnv,
  path: string,
  options: LockOptions & { shouldStop?: (() => Promise<boolean>) | undefined },
): Promise<FileLock | undefined> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 10_000;
  let started = env.now().getTime();
  let holder: string | undefined;
  let identity: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const lock = await create(env, path, staleMs);
    if (lock !== undefined) return lock;
    const seen = await inspect(env, path);
    let retryNow = seen === undefined;
    if (seen !== undefined) {
      holder = seen.holder ?? holder;
      // The lock changed hands: the queue moves, and the wait is for the new holder's work.
      const current = `${seen.ino} ${seen.holder ?? ""}`;
      if (identity !== undefined && current !== identity) started = env.now().getTime();
      identity = current;
      const gone = deadHolder(env, seen, staleMs);
      if (gone !== undefined) {
        options.debug?.(`removing lock ${path}: ${gone}`);
        retryNow = await removeIfUnchanged(env, path, seen, staleMs);
      }
    }
    if (!retryNow && options.shouldStop && (await options.shouldStop())) return undefined;
    const waited = env.now().getTime() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(path, waited, holder);
    if (!retryNow) await sleep(Math.min(backoffDelay(attempt), Math.max(1, timeoutMs - waited)));
  }
}

/** Delay before retry `attempt` (0, 1, …): grows from ~10 ms to at most 250 ms, times a random 0.5–1. */
const backoffDelay = (attempt: number) => Math.max(1, Math.round(Math.min(250, 10 * 1.5 ** attempt) * (0.5 + Math.random() / 2)));

/** Create the lock file (undefined when the name exists), then keep its mtime fresh until release. */
async function create(env: LockEnv, path: string, staleMs: number): Promise<FileLock | undefined> {
  let handle: FileHandle;
  try {
    handle = await env.fs.open(path, "wx", 0o600);
  } catch (err) {
    if (isErrno(err, "EEXIST")) return undefined;
    throw err;
  }
  const touch = () => {
    const now = env.now();
    return handle.utimes(now, now);
  };
  try {
    await handle.writeFile(JSON.stringify({ pid: env.pid, host: env.hostname(), since: isoMillis(env.now()) }));
    await touch();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await env.fs.unlink(path).catch(() => undefined);
    throw err;
  }
  const heartbeat = setInterval(() => void touch().catch(() => undefined), Math.max(10, staleMs / 4));
  heartbeat.unref();
  let released: Promise<void> | undefined;
  return {
    path,
    release: () =>
      (released ??= (async () => {
        clearInterval(heartbeat);
        try {
          const [mine, current] = await Promise.all([handle.stat(), env.fs.lstat(path).catch(() => undefined)]);
          // Ours unless a waiter judged it stale (this process stalled) and someone else took the name since.
          if (current !== undefined && current.ino === mine.ino && current.dev === mine.dev) await env.fs.unlink(path).catch(() => undefined);
        } finally {
          await handle.close().catch(() => undefined);
        }
      })()),
  };
}

interface SeenLock {
  readonly ino: number;
  readonly mtimeMs: number;
  /** What the holder wrote; undefined when the file is empty or garbage. */
  readonly pid?: number | undefined;
  readonly host?: string | undefined;
  /** "pid 123 on host since …", for messages. */
  readonly holder: string | undefined;
}

/** Why the lock's holder is gone, or undefined when it may be alive. */
function deadHolder(env: LockEnv, seen: SeenLock, staleMs: number): string | undefined {
  const age = env.now().getTime() - seen.mtimeMs;
  if (age > staleMs) return `not refreshed for ${Math.round(age / 1000)} s, its holder is gone`;
  if (seen.pid === undefined || seen.pid === env.pid || seen.host !== env.hostname()) return undefined;
  return env.isProcessRunning?.(seen.pid) === false ? `its holder, pid ${seen.pid}, is no longer running` : undefined;
}

/** What is at `path` now: undefined when nothing; a link or a non-file is refused. */
async function inspect(env: LockEnv, path: string): Promise<SeenLock | undefined> {
  let stats;
  try {
    stats = await env.fs.lstat(path);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  if (stats.isSymbolicLink()) throw new UnsafePathError(path, "is a symbolic link, not a lock file assume-role made", `remove ${path}`);
  if (!stats.isFile()) throw new UnsafePathError(path, "is not a regular file, so it cannot be assume-role's lock file", `remove ${path}`);
  return { ino: stats.ino, mtimeMs: stats.mtimeMs, ...(await holderOf(env, path)) };
}

async function holderOf(env: LockEnv, path: string): Promise<Pick<SeenLock, "pid" | "host" | "holder">> {
  try {
    const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = env.fs.constants;
    const handle = await env.fs.open(path, O_RDONLY | (O_NOFOLLOW ?? 0) | (O_NONBLOCK ?? 0));
    try {
      const v = JSON.parse(await handle.readFile("utf8")) as { pid?: unknown; host?: unknown; since?: unknown };
      if (typeof v.pid !== "number" || typeof v.host !== "string") return { holder: undefined };
      return { pid: v.pid, host: v.host, holder: `pid ${v.pid} on ${v.host}${typeof v.since === "string" ? ` since ${v.since}` : ""}` };
    } finally {
      await handle.close();
    }
  } catch {
    // empty (its creator is between open and write, or died there), garbage, or gone: judged by age alone
    return { holder: undefined };
  }
}

/**
 * Remove a lock judged stale, unless it was replaced or refreshed since (then its holder is alive).
 * Only the holder of `<lock>.break` (O_EXCL, held for two system calls) removes stale locks: otherwise a
 * second breaker could remove the fresh lock the first one's successor just took. A guard older than
 * `staleMs` was left by a breaker that died between those two calls.
 */
async function removeIfUnchanged(env: LockEnv, path: string, seen: SeenLock, staleMs: number): Promise<boolean> {
  const guard = `${path}.break`;
  const handle = await env.fs.open(guard, "wx", 0o600).catch((err: unknown) => {
    if (isErrno(err, "EEXIST")) return undefined;
    throw err;
  });
  if (handle === undefined) {
    const other = await env.fs.lstat(guard).catch(() => undefined);
    if (other?.isFile() && env.now().getTime() - other.mtimeMs > staleMs) await env.fs.unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    await handle.close();
    const now = await env.fs.lstat(path).catch(() => undefined);
    if (now === undefined || now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs || !now.isFile()) return true;
    await env.fs.unlink(path).catch((err: unknown) => {
      if (!isErrno(err, "ENOENT")) throw new UnsafePathError(path, `is a stale lock that cannot be removed (${errnoOf(err)})`, `remove ${path}`);
    });
    return true;
  } finally {
    await env.fs.unlink(guard).catch(() => undefined);
  }
}
