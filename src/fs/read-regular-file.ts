import type { Stats } from "node:fs";
import type { Context } from "../context.js";
import { isErrno, UnsafePathError } from "./unsafe-path-error.js";

/**
 * The bytes of `path`, which must be a regular file; undefined when it does not exist. It is opened with
 * O_NONBLOCK, so a FIFO opens at once instead of waiting for a writer forever, and checked with fstat
 * before anything is read: a FIFO, directory, socket or device is refused (UnsafePathError, `hint`).
 * `/dev/null` reads as empty: pointing a variable at it is the usual way to say "no such file".
 */
export async function readRegularFile(env: Pick<Context, "fs">, path: string, hint: string): Promise<Buffer | undefined> {
  if (path === "/dev/null") return Buffer.alloc(0);
  let handle;
  try {
    handle = await env.fs.open(path, env.fs.constants.O_RDONLY | (env.fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
    throw err;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UnsafePathError(path, `is not a regular file (it is ${kindOf(stats)})`, hint);
    return await handle.readFile();
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a file";
}
