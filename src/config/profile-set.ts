/**
 * Section rules and merging of the two files (cross-SDK spec, conformance/profile-parser-tests.json):
 * config file: `[default]`, `[profile NAME]`, `[sso-session NAME]`, other `[PREFIX NAME]` sections
 * (e.g. `[services NAME]`); `[NAME]` alone is ignored. Credentials file: `[NAME]` only. Names and keys
 * are identifiers (`A-Za-z0-9 _-/.%@:+`), anything else is ignored. `[profile default]` beats
 * `[default]` in the config file; a profile present in both files is merged, the credentials file
 * winning on a key conflict; repeated sections merge, the last value winning.
 */
import { parseProfileFile, trimWs, type RawSection } from "./parse-profile-file.js";

export type Properties = ReadonlyMap<string, string>;

export interface ProfileSet {
  readonly profiles: ReadonlyMap<string, Properties>;
  readonly ssoSessions: ReadonlyMap<string, Properties>;
  /** Other prefixed sections of the config file, keyed `PREFIX NAME` (e.g. `services local`). */
  readonly otherSections: ReadonlyMap<string, Properties>;
  /** Where the profiles came from, for messages. */
  readonly files: { readonly config: string; readonly credentials: string };
}

const IDENTIFIER = /^[A-Za-z0-9_\-/.%@:+]+$/;

interface SectionName {
  readonly prefix?: string | undefined;
  readonly name: string;
}

/** `profile  foo ` → {prefix: "profile", name: "foo"}; `default` → {name: "default"}. */
function sectionName(header: string): SectionName {
  const text = trimWs(header);
  const m = /^([^ \t]+)[ \t]+(.*)$/.exec(text);
  return m ? { prefix: m[1]!, name: m[2]!.trim() } : { name: text.trim() };
}

/** Parse both files' text and merge them into one set. */
export function profileSetFromText(
  text: { readonly config: string; readonly credentials: string },
  files: { readonly config: string; readonly credentials: string },
): ProfileSet {
  return buildProfileSet(parseProfileFile(text.config, files.config), parseProfileFile(text.credentials, files.credentials), files);
}

export function buildProfileSet(
  config: readonly RawSection[],
  credentials: readonly RawSection[],
  files: { readonly config: string; readonly credentials: string },
): ProfileSet {
  const profiles = new Map<string, Map<string, string>>();
  const ssoSessions = new Map<string, Map<string, string>>();
  const otherSections = new Map<string, Map<string, string>>();
  const into = (table: Map<string, Map<string, string>>, name: string, section: RawSection) => {
    const target = table.get(name) ?? new Map<string, string>();
    table.set(name, target);
    for (const [key, value] of section.properties) if (IDENTIFIER.test(key)) target.set(key, value);
  };

  const configSections = config.map((s) => [sectionName(s.header), s] as const).filter(([n]) => IDENTIFIER.test(n.name));
  const prefixedDefault = configSections.some(([n]) => n.prefix === "profile" && n.name === "default");
  for (const [n, section] of configSections) {
    if (n.prefix === undefined) {
      if (n.name === "default" && !prefixedDefault) into(profiles, "default", section);
    } else if (n.prefix === "profile") into(profiles, n.name, section);
    else if (n.prefix === "sso-session") into(ssoSessions, n.name, section);
    else into(otherSections, `${n.prefix} ${n.name}`, section);
  }
  for (const section of credentials) {
    const n = sectionName(section.header);
    if (n.prefix === undefined && IDENTIFIER.test(n.name)) into(profiles, n.name, section);
  }
  return { profiles, ssoSessions, otherSections, files };
}

/** Sub-properties of a property written as `key =` + indented `name = value` lines. */
export function subProperties(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of value.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out.set(trimWs(line.slice(0, eq)).toLowerCase(), trimWs(line.slice(eq + 1)));
  }
  return out;
}
