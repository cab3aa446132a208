import type { Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Context } from "../context.js";
import { isErrno, UnsafePathError } from "./unsafe-path-error.js";

export type FsEnv = Pick<Context, "fs" | "pid">;

export interface AtomicWriteOptions {
  /** Mode of the written file; default 0600 (whatever the umask says). */
  readonly mode?: number | undefined;
  /** What lstat said about the target before (saves a call and keeps the owner of a file we replace). */
  readonly previous?: Stats | undefined;
}

/**
 * Replace `path` with `data` so that a reader sees the old file or the new one, never a mix:
 * a temp file in the same directory (O_EXCL, 0600), fsync, rename over the target, fsync the directory.
 * A symbolic link (or anything but a regular file) at `path` is refused, never written through.
 */
export async function atomicWrite(env: FsEnv, path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const previous = options.previous ?? (await lstatOrUndefined(env, path));
  if (previous) refuseUnlessRegularFile(path, previous);
  const temp = await tempPathFor(env, path);
  const handle = await env.fs.open(temp, "wx", 0o600);
  let renamed = false;
  try {
    await handle.writeFile(data);
    await handle.chmod(options.mode ?? 0o600);
    if (previous) await keepOwner(handle, previous);
    await handle.sync();
    await handle.close();
    await env.fs.rename(temp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await env.fs.unlink(temp).catch(() => undefined);
    }
  }
  await syncDirectory(env, dirname(path));
}

/**
 * A name next to `path`, unique to this process and call: `.NAME.tmp-PID-RANDOM`. node:crypto is loaded here, on
 * the first write, not at start-up: loading it is a sixth of node's start-up, and a cache hit writes nothing.
 */
export async function tempPathFor(env: Pick<Context, "pid">, path: string): Promise<string> {
  const { randomBytes } = await import("node:crypto");
  return join(dirname(path), `.${basename(path)}.tmp-${env.pid}-${randomBytes(6).toString("hex")}`);
}

export interface LeftoverRules {
  /** False when that pid runs no process on this host (its writer died); undefined: not knowable here. */
  readonly isRunning?: ((pid: number) => boolean) | undefined;
  /** A temp file older than this was left by a writer that died, whatever its pid says (a write takes milliseconds). */
  readonly maxAgeMs: number;
}

/**
 * Remove the temp files atomicWrite left next to `path` when its writer was killed mid-write (each may be
 * a full copy of a secret file): regular files named `.NAME.tmp-PID-RANDOM` whose pid is not running or
 * that are older than `maxAgeMs`. Callers hold the lock that serialises writers of `path`. Best effort:
 * returns the names removed.
 */
export async function removeLeftoverTemps(env: Pick<Context, "fs" | "pid" | "now">, path: string, rules: LeftoverRules): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  const removed: string[] = [];
  const names = await env.fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (m === null) continue;
    const pid = Number(m[1]);
    const stats = await env.fs.lstat(join(dir, name)).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const old = env.now().getTime() - stats.mtimeMs > rules.maxAgeMs;
    const dead = pid !== env.pid && rules.isRunning?.(pid) === false;
    if (!old && !dead) continue;
    await env.fs.unlink(join(dir, name)).then(() => removed.push(name), () => undefined);
  }
  return removed;
}

export function refuseUnlessRegularFile(path: string, stats: Stats): void {
  if (stats.isSymbolicLink()) {
    throw new UnsafePathError(path, "is a symbolic link; assume-role does not write credentials through links", `replace the link with a regular file, or point the tool at the link's target`);
  }
  if (!stats.isFile()) {
    throw new UnsafePathError(path, "is not a regular file", "remove it or choose another path");
  }
}

export async function lstatOrUndefined(env: Pick<Context, "fs">, path: string): Promise<Stats | undefined> {
  try {
    return await env.fs.lstat(path);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** Run as root on someone else's file (sudo -E): the replacement keeps its owner. Others cannot chown: ignored. */
async function keepOwner(handle: { stat(): Promise<Stats>; chown(uid: number, gid: number): Promise<void> }, previous: Stats): Promise<void> {
  const mine = await handle.stat();
  if (mine.uid === previous.uid && mine.gid === previous.gid) return;
  await handle.chown(previous.uid, previous.gid).catch(() => undefined);
}

/** Make the rename durable. Not every platform can open a directory: best effort. */
async function syncDirectory(env: Pick<Context, "fs">, dir: string): Promise<void> {
  try {
    const handle = await env.fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // durability of the directory entry is a bonus, not a requirement
  }
}
