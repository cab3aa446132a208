import { UsageError } from "../errors.js";
import type { HopPlan, Tag } from "../types.js";

/** AWS's session-tag limits (STS model: Tag, tagListType, tagKeyListType). */
const KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const KEY_RULE = "1-128 letters, digits, spaces and _.:/=+-@";
const VALUE_RULE = "at most 256 letters, digits, spaces and _.:/=+-@";
export const MAX_SESSION_TAGS = 50;

export interface SessionTags {
  readonly tags: readonly Tag[];
  /** Keys of `tags` (spelled as in --tag) that are passed on to later sessions of the chain. */
  readonly transitiveKeys: readonly string[];
}

/**
 * Pure: `--tag KEY=VALUE` and `--transitive-tag KEY` → validated session tags, so that nothing STS would
 * refuse costs a round trip. Keys are case-insensitive to AWS: a key given twice is refused, and a
 * transitive key must name a --tag key (in any case).
 */
export function parseSessionTags(tagFlags: readonly string[], transitiveFlags: readonly string[]): SessionTags {
  if (tagFlags.length > MAX_SESSION_TAGS) throw new UsageError(`--tag: ${tagFlags.length} tags; AWS allows at most ${MAX_SESSION_TAGS} session tags`);
  const byKey = new Map<string, Tag>();
  for (const text of tagFlags) {
    const tag = parseTag(text);
    const seen = byKey.get(tag.key.toLowerCase());
    if (seen !== undefined) {
      throw new UsageError(`--tag '${text}': key ${tag.key} is already given by --tag '${seen.key}=${seen.value}' (tag keys are case-insensitive)`);
    }
    byKey.set(tag.key.toLowerCase(), tag);
  }
  const transitive = new Map<string, string>();
  for (const key of transitiveFlags) {
    const tag = byKey.get(key.toLowerCase());
    if (tag === undefined) throw new UsageError(`--transitive-tag '${key}': must name the key of a --tag KEY=VALUE`);
    transitive.set(key.toLowerCase(), tag.key);
  }
  return { tags: [...byKey.values()], transitiveKeys: [...transitive.values()] };
}

function parseTag(text: string): Tag {
  const eq = text.indexOf("=");
  if (eq < 0) throw new UsageError(`--tag '${text}': expected KEY=VALUE`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (key === "") throw new UsageError(`--tag '${text}': the key before = is empty`);
  if (!KEY.test(key)) throw new UsageError(`--tag '${text}': the key must be ${KEY_RULE}`);
  if (!VALUE.test(value)) throw new UsageError(`--tag '${text}': the value must be ${VALUE_RULE}`);
  return { key, value };
}

/**
 * The tags a hop sends. The first hop sends them all and names the transitive ones; a later hop inherits
 * the transitive ones from its caller's session, and AWS refuses a request that sets an inherited
 * transitive key again, so it sends only the others.
 */
export function hopTags(session: SessionTags, index: number): Pick<HopPlan, "tags" | "transitiveTagKeys"> {
  const nonEmpty = <T>(list: readonly T[]) => (list.length > 0 ? list : undefined);
  if (index === 0) return { tags: nonEmpty(session.tags), transitiveTagKeys: nonEmpty(session.transitiveKeys) };
  const inherited = new Set(session.transitiveKeys.map((k) => k.toLowerCase()));
  return { tags: nonEmpty(session.tags.filter((t) => !inherited.has(t.key.toLowerCase()))), transitiveTagKeys: undefined };
}
