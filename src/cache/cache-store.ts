import type { Context } from "../context.js";
import type { StepResult } from "../types.js";
import { atomicWrite, type FsEnv } from "../fs/atomic-write.js";
import { ensurePrivateDir } from "../fs/secure-dir.js";
import { errnoOf } from "../fs/unsafe-path-error.js";
import { entryOf, parseEntry } from "./cache-entry.js";

/** Entries this old (by mtime) are past any STS session (12 h max) and are removed when a new entry is written. */
const PRUNE_ENTRY_MS = 13 * 3600_000;
/** Leftover temp, probe and lock files of killed processes. */
const PRUNE_LEFTOVER_MS = 3600_000;
const MAX_ENTRY_BYTES = 64 * 1024;

export interface CacheStore {
  readonly dir: string;
  lockPath(key: string): string;
  /** The entry for `key`, or undefined when missing; a corrupt or foreign entry counts as missing. */
  read(file: string, key: readonly string[]): Promise<StepResult | undefined>;
  /** Replace the entry atomically (0600); then remove expired entries. Throws on I/O failure. */
  write(file: string, key: readonly string[], hop: StepResult): Promise<void>;
}

export type StoreEnv = FsEnv & Pick<Context, "now" | "uid">;

/** Check (or create) the private directory, then hand back a store on it. Throws UnsafePathError. */
export async function openCacheStore(env: StoreEnv, dir: string, debug: (line: string) => void): Promise<CacheStore> {
  await ensurePrivateDir(env, dir);
  const file = (key: string) => `${dir}/${key}.json`;
  return {
    dir,
    lockPath: (key) => `${dir}/${key}.lock`,
    read: async (name, key) => {
      const text = await readEntryFile(env, file(name));
      if (text === undefined) return undefined;
      if (typeof text !== "string") {
        debug(`cache: ${file(name)} unreadable (${text.problem}); treating it as a miss`);
        return undefined;
      }
      const parsed = parseEntry(text, key);
      if (typeof parsed === "string") {
        debug(`cache: ${file(name)} is corrupt (${parsed}); it will be replaced`);
        return undefined;
      }
      return parsed;
    },
    write: async (name, key, hop) => {
      const entry = entryOf(key, hop);
      if (entry === undefined) return;
      await atomicWrite(env, file(name), JSON.stringify(entry) + "\n", { mode: 0o600 });
      await prune(env, dir, debug);
    },
  };
}

/** The file's text; undefined when absent; a problem when it is a link, too big or unreadable. */
async function readEntryFile(env: FsEnv, path: string): Promise<string | { problem: string } | undefined> {
  let handle;
  try {
    handle = await env.fs.open(path, env.fs.constants.O_RDONLY | env.fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = errnoOf(err);
    return code === "ENOENT" ? undefined : { problem: code === "ELOOP" ? "a symbolic link" : code };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { problem: "not a regular file" };
    if (stats.size > MAX_ENTRY_BYTES) return { problem: `${stats.size} bytes` };
    return await handle.readFile("utf8");
  } catch (err) {
    return { problem: errnoOf(err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Best effort: a cron job with `{time}` in its session name would otherwise add a file a minute forever. */
async function prune(env: StoreEnv, dir: string, debug: (line: string) => void): Promise<void> {
  try {
    const now = env.now().getTime();
    for (const name of await env.fs.readdir(dir)) {
      const entry = /^[0-9a-f]{64}\.json$/.test(name);
      const leftover = /^\..*\.(?:tmp|probe)-\d+-[0-9a-f]+$|^\.probe-\d+-[0-9a-f]+$|\.lock(?:\.break)?$/.test(name);
      if (!entry && !leftover) continue;
      const stats = await env.fs.lstat(`${dir}/${name}`).catch(() => undefined);
      if (!stats?.isFile()) continue;
      if (now - stats.mtimeMs > (entry ? PRUNE_ENTRY_MS : PRUNE_LEFTOVER_MS)) {
        await env.fs.unlink(`${dir}/${name}`).catch(() => undefined);
        debug(`cache: removed old ${name}`);
      }
    }
  } catch (err) {
    debug(`cache: could not prune ${dir}: ${errnoOf(err)}`);
  }
}
