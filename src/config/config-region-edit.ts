/**
 * Pure text surgery on the shared config file for `--write-profile NAME`: give `[profile NAME]` (`[default]`
 * for default) a `region` when it has none, every other byte unchanged, so `aws --profile NAME` works without
 * `--region`. A section that already names a region keeps it.
 */
import { classify, join, splitLines, SOURCE_KEYS, type Line } from "./write-profile-section.js";

export interface ConfigRegionEdit {
  /** The new file text; undefined when nothing changes (the section has a region, or is duplicated). */
  readonly text?: string | undefined;
  /** The region the section already names. */
  readonly existingRegion?: string | undefined;
  /** SOURCE_KEYS in the section: the SDKs would assume a role or run a process instead of using the written keys. */
  readonly sourceKeys: readonly string[];
  /** 1-based line numbers of the section's headers, when it appears more than once (then nothing is written). */
  readonly duplicateLines: readonly number[];
}

/** Whether a config-file header (brackets and outer blanks removed) names profile `name`. */
function namesProfile(header: string, name: string): boolean {
  const m = /^profile[ \t]+(.*)$/.exec(header);
  if (m) return m[1]!.trim() === name;
  return name === "default" && header === "default";
}

export function addProfileRegion(original: string, name: string, region: string): ConfigRegionEdit {
  const lines = splitLines(original);
  const eol = lines.find((l) => l.eol !== "")?.eol ?? "\n";
  const kinds = classify(lines);
  const lacksFinalNewline = original !== "" && lines.at(-1)?.eol === "";
  const headers = kinds.flatMap((k, i) => (k.kind === "header" && k.name !== undefined && namesProfile(k.name, name) ? [i] : []));
  if (headers.length > 1) return { sourceKeys: [], duplicateLines: headers.map((i) => i + 1) };
  const fresh: Line = { text: `region = ${region}`, eol };

  if (headers.length === 0) {
    const spacer = lines.length > 0 && lines.at(-1)!.text.trim() !== "" ? [{ text: "", eol }] : [];
    const header = name === "default" ? "[default]" : `[profile ${name}]`;
    return { text: join([...lines, ...spacer, { text: header, eol }, fresh], eol, lacksFinalNewline), sourceKeys: [], duplicateLines: [] };
  }

  const start = headers[0]!;
  let end = kinds.findIndex((k, i) => i > start && k.kind === "header");
  if (end === -1) end = lines.length;
  let afterLastKey = start + 1;
  let existingRegion: string | undefined;
  const keys = new Set<string>();
  for (let i = start + 1; i < end; i++) {
    const k = kinds[i]!;
    if (k.kind === "continuation") afterLastKey = i + 1;
    if (k.kind !== "property") continue;
    keys.add(k.key);
    afterLastKey = i + 1;
    if (k.key === "region") existingRegion ??= lines[i]!.text.slice(lines[i]!.text.indexOf("=") + 1).trim();
  }
  const sourceKeys = SOURCE_KEYS.filter((k) => keys.has(k));
  if (existingRegion !== undefined) return { existingRegion, sourceKeys, duplicateLines: [] };
  const out = [...lines.slice(0, afterLastKey), fresh, ...lines.slice(afterLastKey)];
  return { text: join(out, eol, lacksFinalNewline), sourceKeys, duplicateLines: [] };
}
