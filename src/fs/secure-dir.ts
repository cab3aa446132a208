import type { Context } from "../context.js";
import type { FsEnv } from "./atomic-write.js";
import { errnoOf, UnsafePathError } from "./unsafe-path-error.js";

/** Create `dir` (and missing parents) as 0700 when it does not exist; an existing one is left as it is. */
export async function ensureDir(env: Pick<FsEnv, "fs">, dir: string): Promise<void> {
  await env.fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * A directory only the current user can use, for secrets (the credential cache): created 0700 when
 * missing; refused when it is a symbolic link, not a directory, writable by group or others, not writable
 * by us, or owned by another user (the effective uid, which owns what this process creates). Readable-by-others
 * bits on a directory we own are removed. Nothing is written to a directory owned by our uid: a cache hit only reads.
 */
export async function ensurePrivateDir(env: Pick<Context, "fs" | "uid" | "pid">, dir: string): Promise<void> {
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
  await env.fs.access(dir, env.fs.constants.W_OK).catch((err: unknown) => {
    throw new UnsafePathError(dir, `is not writable (${errnoOf(err)})`, `check the owner and mode of ${dir}`);
  });
  // Where the file system maps owners (NFS root_squash, sshfs, drvfs), what we create is not owned by our uid: there
  // the directory is ours when a file we create in it gets the directory's owner (a probe, only on a mismatch).
  if (env.uid !== undefined && stats.uid !== env.uid && stats.uid !== (await uidOfNewFile(env, dir))) {
    throw new UnsafePathError(dir, `is owned by uid ${stats.uid}, not by the current user (uid ${env.uid})`, hint);
  }
  if (mode & 0o077) await env.fs.chmod(dir, 0o700);
}

/**
 * The uid files we create in `dir` get: create a probe file, stat it, remove it. The name needs to be unique, not
 * secret (O_EXCL refuses any existing name, links included): Math.random, not node:crypto.
 */
async function uidOfNewFile(env: Pick<Context, "fs" | "pid">, dir: string): Promise<number> {
  const probe = `${dir}/.probe-${env.pid}-${Math.random().toString(16).slice(2, 14)}`;
  const handle = await env.fs.open(probe, "wx", 0o600);
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
