import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { isErrno } from "./unsafe-path-error.js";

export type LockEnv = Pick<Context, "fs" | "pid" | "now" | "hostname">;

/** What a lock file holds: who took it, when (ms since the epoch), and a token only that taker knows. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly created: number;
  readonly token: string;
}

export interface LockOptions {
  /** Give up waiting after this long (default 10 s). */
  readonly timeoutMs?: number | undefined;
  /** A lock older than this is broken even if its holder may still run (default 30 s). */
  readonly staleMs?: number | undefined;
  readonly debug?: ((line: string) => void) | undefined;
}

export interface FileLock {
  readonly path: string;
  /** Remove the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export class LockTimeoutError extends ConfigError {
  constructor(path: string, waitedMs: number, holder: LockHolder | undefined) {
    const who = holder ? ` by pid ${holder.pid} on ${holder.host} since ${new Date(holder.created).toISOString()}` : "";
    super(`${path} is held${who}; gave up after ${Math.round(waitedMs / 1000)} s`, {
      hint: `if no assume-role is running${holder ? ` as pid ${holder.pid}` : ""}, remove ${path}`,
    });
  }
}

/**
 * Cross-process mutual exclusion with an O_EXCL lock file: retried with jittered backoff until the
 * deadline; a lock whose holder is gone (same host, pid no longer running) or older than `staleMs`
 * is broken (under a guard, so two breakers never remove a fresh lock). Throws LockTimeoutError.
 */
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
  const started = env.now().getTime();
  let lastHolder: LockHolder | undefined;
  for (let attempt = 0; ; attempt++) {
    const result = await tryLock(env, path, options);
    if ("lock" in result) return result.lock;
    lastHolder = result.holder ?? lastHolder;
    if (options.shouldStop && (await options.shouldStop())) return undefined;
    const waited = env.now().getTime() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(path, waited, lastHolder);
    await sleep(Math.min(backoffDelay(attempt), Math.max(1, timeoutMs - waited)));
  }
}

/** One attempt: take the lock, or break it when stale and take it, or report who holds it. */
export async function tryLock(env: LockEnv, path: string, options: LockOptions = {}): Promise<{ lock: FileLock } | { holder: LockHolder | undefined }> {
  const mine: LockHolder = { pid: env.pid, host: env.hostname(), created: env.now().getTime(), token: randomBytes(12).toString("hex") };
  const text = JSON.stringify(mine);
  if (await create(env, path, text)) return { lock: heldLock(env, path, text) };
  const seen = await readLock(env, path);
  if (seen === undefined) return (await create(env, path, text)) ? { lock: heldLock(env, path, text) } : { holder: undefined };
  const reason = await staleReason(env, seen, options.staleMs ?? 30_000);
  if (reason === undefined) return { holder: seen.holder };
  options.debug?.(`breaking lock ${path}: ${reason}`);
  await breakLock(env, path, seen.text);
  return (await create(env, path, text)) ? { lock: heldLock(env, path, text) } : { holder: seen.holder };
}

/** Delay before retry `attempt` (0, 1, …): grows from ~10 ms to at most 250 ms, times a random 0.5–1. */
export function backoffDelay(attempt: number): number {
  const ceiling = Math.min(250, 10 * 1.5 ** attempt);
  return Math.max(1, Math.round(ceiling * (0.5 + Math.random() / 2)));
}

async function create(env: LockEnv, path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await env.fs.open(path, "wx", 0o600);
  } catch (err) {
    if (isErrno(err, "EEXIST")) return false;
    throw err;
  }
  try {
    await handle.writeFile(text);
    await handle.close();
    return true;
  } catch (err) {
    await handle.close().catch(() => undefined);
    await env.fs.unlink(path).catch(() => undefined);
    throw err;
  }
}

function heldLock(env: LockEnv, path: string, text: string): FileLock {
  let released = false;
  return {
    path,
    release: async () => {
      if (released) return;
      released = true;
      const current = await env.fs.readFile(path, "utf8").catch(() => undefined);
      if (current === text) await env.fs.unlink(path).catch(() => undefined);
    },
  };
}

interface SeenLock {
  readonly text: string;
  readonly holder: LockHolder | undefined;
  readonly mtimeMs: number;
}

async function readLock(env: LockEnv, path: string): Promise<SeenLock | undefined> {
  try {
    const [text, stats] = await Promise.all([env.fs.readFile(path, "utf8"), env.fs.lstat(path)]);
    return { text, holder: parseHolder(text), mtimeMs: stats.mtimeMs };
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.created === "number" && typeof v.token === "string") {
      return { pid: v.pid, host: v.host, created: v.created, token: v.token };
    }
  } catch {
    // an empty file (its creator is between open and write, or died there) or garbage: judged by age
  }
  return undefined;
}

async function staleReason(env: LockEnv, seen: SeenLock, staleMs: number): Promise<string | undefined> {
  const { holder } = seen;
  if (holder && holder.host === env.hostname() && (await isGone(env, holder.pid))) return `its holder, pid ${holder.pid}, is no longer running`;
  const age = env.now().getTime() - (holder?.created ?? seen.mtimeMs);
  if (age > staleMs) return `it is ${Math.round(age / 1000)} s old`;
  return undefined;
}

/** Whether a pid on this host has ended (Linux /proc; elsewhere unknown, so false: the age rule applies). */
async function isGone(env: LockEnv, pid: number): Promise<boolean> {
  if (pid === env.pid) return false;
  try {
    const stat = await env.fs.readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch (err) {
    if (!isErrno(err, "ENOENT")) return false;
    return env.fs.access("/proc/self/stat").then(() => true, () => false);
  }
}

/** A break guard is held for one read and one unlink; older than this, its holder crashed mid-break. */
const GUARD_STALE_MS = 5_000;

/**
 * Remove a lock judged stale, safely against other breakers: only the holder of `<lock>.break` (taken
 * with O_EXCL) may remove it, and only after reading that it is still the very lock judged stale. (A
 * rename-aside scheme leaves the path empty for a moment, and a third process could take the lock then.)
 */
async function breakLock(env: LockEnv, path: string, judged: string): Promise<void> {
  const guard = `${path}.break`;
  const mine = JSON.stringify({ pid: env.pid, host: env.hostname(), created: env.now().getTime(), token: randomBytes(12).toString("hex") });
  if (!(await create(env, guard, mine))) {
    const seen = await readLock(env, guard);
    if (seen && (await staleReason(env, seen, GUARD_STALE_MS)) !== undefined) {
      const again = await env.fs.readFile(guard, "utf8").catch(() => undefined);
      if (again === seen.text) await env.fs.unlink(guard).catch(() => undefined);
    }
    return;
  }
  try {
    const current = await env.fs.readFile(path, "utf8").catch(() => undefined);
    if (current === judged) await env.fs.unlink(path).catch(() => undefined);
  } finally {
    const held = await env.fs.readFile(guard, "utf8").catch(() => undefined);
    if (held === mine) await env.fs.unlink(guard).catch(() => undefined);
  }
}
