/**
 * The line grammar of the shared config and credentials files, as the cross-SDK spec pins it down
 * (conformance/profile-parser-tests.json; the AWS SDK for Rust's parser is the reference reading).
 *
 * Why this is hand-written rather than `ini` (which the issue suggests): `ini@5` with the section rules
 * of profile-set.ts on top passes 41 of the 65 spec cases, and what it gets wrong cannot be patched
 * from outside. It nests sections whose names contain dots (`[profile prod.admin]` becomes profile
 * "prod" holding an object "admin"), turns `true`/`false` into booleans, cuts `value;x` at the
 * semicolon (the spec keeps it), does not recognise a header followed by a comment (`[profile a] # x`),
 * so the lines after it land in the previous profile, turns continuation lines and `s3 =` sub-properties
 * into keys of their own, and reports no error for a malformed line. The spec grammar is line-based and
 * small, so it is written out here.
 */
import { ConfigError } from "../errors.js";

/** One `[header]` block as written: header text between the brackets, keys lower-cased, values raw. */
export interface RawSection {
  readonly header: string;
  /** 1-based line of the header (for messages). */
  readonly line: number;
  readonly properties: Map<string, string>;
}

const COMMENT = new Set(["#", ";"]);

/** Space and tab only: the spec does not treat other whitespace as separators. */
export function trimWs(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

/**
 * Parse one file into its sections, in file order. Throws a ConfigError naming `source` and the line.
 * Sections with invalid names and keys that are not identifiers are kept here; profile-set.ts drops them.
 */
export function parseProfileFile(text: string, source: string): RawSection[] {
  const sections: RawSection[] = [];
  let current: RawSection | undefined;
  let property: string | undefined;
  let subProperties = false;
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const fail = (message: string): never => {
      throw new ConfigError(`${source} line ${index + 1}: ${message}`, {
        hint: "fix that line: [profile NAME] headers, `key = value` lines, indented lines continue the property above",
      });
    };
    if (trimWs(line) === "" || COMMENT.has(line[0]!)) return;
    if (line.startsWith("[")) {
      const header = stripComment(line, false);
      if (!header.endsWith("]")) fail("Profile definition must end with ']'");
      current = { header: header.slice(1, -1), line: index + 1, properties: new Map() };
      sections.push(current);
      property = undefined;
      return;
    }
    if (current === undefined) return fail("Expected a profile definition");
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (property === undefined) return fail("Expected a property definition, found continuation");
      if (subProperties) splitProperty(line, "sub-property", fail);
      current.properties.set(property, `${current.properties.get(property) ?? ""}\n${trimWs(line)}`);
      return;
    }
    const [key, value] = splitProperty(line, "property", fail);
    current.properties.set(key, value);
    property = key;
    subProperties = value === "";
  });
  return sections;
}

/** `key = value` → [lower-cased key, value]; comments after a value need whitespace before them. */
function splitProperty(line: string, what: "property" | "sub-property", fail: (m: string) => never): [string, string] {
  const text = stripComment(line, true);
  const eq = text.indexOf("=");
  if (eq < 0) return fail(`Expected an '=' sign defining a ${what}`);
  const key = trimWs(text.slice(0, eq));
  if (key === "") return fail(`${what === "property" ? "Property" : "Sub-property"} did not have a name`);
  return [key.toLowerCase(), trimWs(text.slice(eq + 1))];
}

/**
 * Trim, then cut at the first `#`/`;`. In a header any such character starts a comment; after a
 * property it does only when whitespace precedes it (`a = b;c` keeps `b;c`).
 */
function stripComment(line: string, needsWhitespace: boolean): string {
  const text = trimWs(line);
  let previousIsSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (COMMENT.has(ch) && (previousIsSpace || !needsWhitespace)) return trimWs(text.slice(0, i));
    previousIsSpace = /\s/.test(ch);
  }
  return text;
}
