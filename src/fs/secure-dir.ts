import type { Context } from "../context.js";
import type { FsEnv } from "./atomic-write.js";
import { errnoOf, UnsafePathError } from "./unsafe-path-error.js";

/** Create `dir` (and missing parents) as 0700 when it does not exist; an existing one is left as it is. */
export async function ensureDir(env: Pick<FsEnv, "fs">, dir: string): Promise<void> {
  await env.fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * A directory only the current user can use, for secrets (the credential cache): created 0700 when
 * missing; refused when it is a symbolic link, not a directory, writable by group or others, or owned
 * by another user (the effective uid, which owns what this process creates). Readable-by-others bits on a
 * directory we own are removed. Nothing is written to a directory that passes: a cache hit only reads.
 */
export async function ensurePrivateDir(env: Pick<Context, "fs" | "uid">, dir: string): Promise<void> {
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
  if (env.uid !== undefined && stats.uid !== env.uid) {
    throw new UnsafePathError(dir, `is owned by uid ${stats.uid}, not by the current user (uid ${env.uid})`, hint);
  }
  await env.fs.access(dir, env.fs.constants.W_OK).catch((err: unknown) => {
    throw new UnsafePathError(dir, `is not writable (${errnoOf(err)})`, `check the owner and mode of ${dir}`);
  });
  if (mode & 0o077) await env.fs.chmod(dir, 0o700);
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}
