import { sha256Hex } from "../sha256-hex.js";

/** Bump when the entry format or the meaning of a key changes: old entries are then simply never found. */
export const CACHE_FORMAT = "assume-role-cache-v2";

/**
 * The file name (without .json) of one hop's entry: SHA-256 of its key (plan/hop-keys.ts: the STS endpoint, the
 * source's local identity, the region as planned, and every hop's planned parameters up to this one). One entry per
 * hop, so a chain that shares its first hops with another reuses their entries.
 */
export function cacheFileName(key: readonly string[]): string {
  return sha256Hex(JSON.stringify([CACHE_FORMAT, ...key]));
}

/** `$XDG_CACHE_HOME/assume-role`, else `$HOME/.cache/assume-role`; undefined when neither is set. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says relative paths are invalid and to be ignored.
  if (xdg && xdg.startsWith("/")) return `${xdg.replace(/\/+$/, "")}/assume-role`;
  const home = env.HOME;
  return home ? `${home.replace(/\/+$/, "")}/.cache/assume-role` : undefined;
}
