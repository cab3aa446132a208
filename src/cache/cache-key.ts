import { createHash } from "node:crypto";

/** Bump when the entry format or the meaning of a key changes: old entries are then simply never found. */
export const CACHE_FORMAT = "assume-role-cache-v1";

/**
 * The file name (without .json) of one hop's cache entry: SHA-256 of the hop's chain key, i.e. the
 * source identity and every hop's non-secret parameters up to and including this one (see HopCall),
 * and of the STS endpoint when one is configured (AWS_ENDPOINT_URL_STS): credentials issued by an
 * emulator or another STS must never be handed out for the real one. One entry per hop, so a chain that
 * shares its first hops with another reuses their entries.
 */
export function cacheKey(chainKey: readonly string[], endpoint?: string | undefined): string {
  return createHash("sha256").update(JSON.stringify([CACHE_FORMAT, endpoint ?? null, ...chainKey])).digest("hex");
}

/** `$XDG_CACHE_HOME/assume-role`, else `$HOME/.cache/assume-role`; undefined when neither is set. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says relative paths are invalid and to be ignored.
  if (xdg && xdg.startsWith("/")) return `${xdg.replace(/\/+$/, "")}/assume-role`;
  const home = env.HOME;
  return home ? `${home.replace(/\/+$/, "")}/.cache/assume-role` : undefined;
}
