import { UsageError } from "../errors.js";
import type { Tag } from "../types.js";

/**
 * AWS's session-tag limits (STS model: Tag, tagListType, tagKeyListType). Built on first use: creating a regular
 * expression with `\p{…}` classes looks them up in ICU, 3% of a whole cache hit's instructions when it is done at
 * start-up for every run, tags or not.
 */
let patterns: { readonly key: RegExp; readonly value: RegExp } | undefined;
const tagPatterns = () => (patterns ??= { key: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, value: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u });
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
  if (!tagPatterns().key.test(key)) throw new UsageError(`--tag '${text}': the key must be ${KEY_RULE}`);
  if (/^aws:/i.test(key)) throw new UsageError(`--tag '${text}': keys starting with aws: are reserved by AWS`);
  if (!tagPatterns().value.test(value)) throw new UsageError(`--tag '${text}': the value must be ${VALUE_RULE}`);
  return { key, value };
}
