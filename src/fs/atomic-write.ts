import { randomBytes } from "node:crypto";
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
  const temp = tempPathFor(env, path);
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

/** A name next to `path`, unique to this process and call: `.NAME.tmp-PID-RANDOM`. */
export function tempPathFor(env: Pick<Context, "pid">, path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${env.pid}-${randomBytes(6).toString("hex")}`);
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
