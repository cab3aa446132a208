import { join } from "node:path";
import type { FsEnv } from "./atomic-write.js";
import { errnoOf, UnsafePathError } from "./unsafe-path-error.js";

/** Create `dir` (and missing parents) as 0700 when it does not exist; an existing one is left as it is. */
export async function ensureDir(env: Pick<FsEnv, "fs">, dir: string): Promise<void> {
  await env.fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * A directory only the current user can use, for secrets (the credential cache): created 0700 when
 * missing; refused when it is a symbolic link, not a directory, writable by group or others, or owned
 * by another user. Our uid is the owner of a file we create in it (no process.getuid below main.ts).
 * Readable-by-others bits on a directory we own are removed.
 */
export async function ensurePrivateDir(env: FsEnv, dir: string): Promise<void> {
  // mkdir fails (EEXIST) when something that is not a directory is there: the checks below say what.
  const made = await ensureDir(env, dir).then(() => undefined, (err: unknown) => err);
  const stats = await env.fs.lstat(dir).catch((err: unknown) => {
    throw made ?? err;
  });
  const hint = `remove it (assume-role recreates it as a 0700 directory), or set XDG_CACHE_HOME elsewhere`;
  if (stats.isSymbolicLink()) throw new UnsafePathError(dir, "is a symbolic link, not a directory", hint);
  if (!stats.isDirectory()) throw new UnsafePathError(dir, "is not a directory", hint);
  const mode = stats.mode & 0o777;
  if (mode & 0o022) {
    throw new UnsafePathError(dir, `is writable by ${mode & 0o002 ? "others" : "its group"} (mode ${octal(mode)})`, `chmod 700 ${dir}`);
  }
  const uid = await uidOfNewFile(env, dir);
  if (stats.uid !== uid) {
    throw new UnsafePathError(dir, `is owned by uid ${stats.uid}, not by the current user (uid ${uid})`, hint);
  }
  if (mode & 0o077) await env.fs.chmod(dir, 0o700);
}

/**
 * The uid files we create get (our effective uid): create a probe file in `dir`, stat it, remove it. The name
 * needs to be unique, not secret (O_EXCL refuses any existing name, links included): Math.random, not
 * node:crypto, whose load would cost every cache hit a sixth of node's start-up.
 */
export async function uidOfNewFile(env: FsEnv, dir: string): Promise<number> {
  const probe = join(dir, `.probe-${env.pid}-${Math.random().toString(16).slice(2, 14)}`);
  let handle;
  try {
    handle = await env.fs.open(probe, "wx", 0o600);
  } catch (err) {
    throw new UnsafePathError(dir, `is not writable (${errnoOf(err)})`, `check the owner and mode of ${dir}`);
  }
  try {
    return (await handle.stat()).uid;
  } finally {
    await handle.close().catch(() => undefined);
    await env.fs.unlink(probe).catch(() => undefined);
  }
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}
