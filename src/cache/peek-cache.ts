import { isSessionResult, type HopResult } from "../types.js";
import { cacheFileName } from "./cache-key.js";
import { openCacheStore } from "./cache-store.js";
import type { CacheOptions } from "./with-cache.js";

/**
 * Read a hop's cache entry without locking, writing or running anything (whoami --chain shows the hops before a
 * cached one this way). Undefined when there is no cache, no entry, or the cache is off; fresh or not, as stored.
 */
export function peekCache(options: CacheOptions): (key: readonly string[]) => Promise<HopResult | undefined> {
  if (options.mode === "off" || options.dir === undefined) return async () => undefined;
  const dir = options.dir;
  let opened: ReturnType<typeof openCacheStore> | undefined;
  return async (key) => {
    const store = await (opened ??= openCacheStore(options.env, dir, options.debug));
    const step = await store.read(cacheFileName(key), key);
    // An MFA session's entry is not a hop: whoami --chain shows hops only.
    if (step === undefined || isSessionResult(step)) return undefined;
    return { ...step, cached: true };
  };
}
