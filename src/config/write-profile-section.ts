/**
 * Pure text surgery on a shared credentials file: replace the keys of one section, or append the
 * section, leaving every other byte as it was. Works on a "binary" (latin1) string so that any byte
 * sequence round-trips; keys and values written here are ASCII.
 */

/** Profile names the cross-SDK parser accepts: letters, digits and - / . % @ _ : + */
export const PROFILE_NAME = /^[A-Za-z0-9\-/.%@_:+]+$/;

/** Keys that hold the credentials: replaced (and old duplicates dropped) on every write. */
export const CREDENTIAL_KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  "aws_credential_expiration",
] as const;

/** Keys that make the SDKs ignore a section's static keys (they would win over what we write). */
export const SOURCE_KEYS = [
  "role_arn",
  "source_profile",
  "credential_source",
  "credential_process",
  "web_identity_token_file",
  "sso_session",
  "sso_start_url",
  "sso_region",
  "sso_account_id",
  "sso_role_name",
] as const;

export interface SectionEdit {
  readonly text: string;
  /** False when the section was appended. */
  readonly existed: boolean;
  /** The section had aws_access_key_id and no session token: long-term keys. */
  readonly longTermKeys: boolean;
  /** SOURCE_KEYS present in the section (they are removed from the new text). */
  readonly sourceKeys: readonly string[];
  /** 1-based line numbers of every header of this section, when it appears more than once. */
  readonly duplicateLines: readonly number[];
}

export interface Line {
  text: string;
  eol: string;
}

export type Kind = { kind: "header"; name: string | undefined } | { kind: "property"; key: string } | { kind: "continuation" } | { kind: "other" };

/**
 * Set `values` (ordered [key, value] pairs, ASCII, no line breaks) as the keys of section [name].
 * In an existing section: the header, comments, blank lines and other keys stay; credential keys are
 * replaced where the first of them stood (later duplicates and SOURCE_KEYS lines go, with their
 * continuation lines); with no credential key yet, the lines go after the section's last key. Else
 * the section is appended at the end, after a blank line. Line endings follow the file (CRLF if its
 * first line ends so), and a file without a final newline still ends without one.
 */
export function editCredentialsSection(original: string, name: string, values: readonly (readonly [string, string])[]): SectionEdit {
  const lines = splitLines(original);
  const eol = lines.find((l) => l.eol !== "")?.eol ?? "\n";
  const kinds = classify(lines);
  const headers = kinds.flatMap((k, i) => (k.kind === "header" && k.name === name ? [i] : []));
  const fresh: Line[] = values.map(([key, value]) => ({ text: `${key} = ${value}`, eol }));
  const lacksFinalNewline = original !== "" && lines.at(-1)?.eol === "";

  if (headers.length !== 1) {
    const spacer = lines.length > 0 && lines.at(-1)!.text.trim() !== "" ? [{ text: "", eol }] : [];
    const out = [...lines, ...spacer, { text: `[${name}]`, eol }, ...fresh];
    return {
      text: join(out, eol, lacksFinalNewline),
      existed: false,
      longTermKeys: false,
      sourceKeys: [],
      duplicateLines: headers.length > 1 ? headers.map((i) => i + 1) : [],
    };
  }

  const start = headers[0]!;
  let end = kinds.findIndex((k, i) => i > start && k.kind === "header");
  if (end === -1) end = lines.length;
  const keys = new Map<string, number>();
  const drop = new Set<number>();
  let insertAt: number | undefined;
  let afterLastKey = start + 1;
  for (let i = start + 1; i < end; i++) {
    const k = kinds[i]!;
    if (k.kind !== "property") continue;
    let last = i;
    while (last + 1 < end && kinds[last + 1]!.kind === "continuation") last++;
    keys.set(k.key, (keys.get(k.key) ?? 0) + 1);
    const credential = (CREDENTIAL_KEYS as readonly string[]).includes(k.key);
    if (credential || (SOURCE_KEYS as readonly string[]).includes(k.key)) {
      for (let j = i; j <= last; j++) drop.add(j);
      if (credential) insertAt ??= i;
    } else {
      afterLastKey = last + 1;
    }
    i = last;
  }
  const at = insertAt ?? afterLastKey;
  const out: Line[] = [];
  for (let i = 0; i <= lines.length; i++) {
    if (i === at) out.push(...fresh);
    if (i < lines.length && !drop.has(i)) out.push(lines[i]!);
  }
  return {
    text: join(out, eol, lacksFinalNewline),
    existed: true,
    longTermKeys: keys.has("aws_access_key_id") && !keys.has("aws_session_token") && !keys.has("aws_security_token"),
    sourceKeys: SOURCE_KEYS.filter((k) => keys.has(k)),
    duplicateLines: [],
  };
}

export function splitLines(text: string): Line[] {
  if (text === "") return [];
  return text.split(/(?<=\n)/).map((raw) => {
    const eol = raw.endsWith("\r\n") ? "\r\n" : raw.endsWith("\n") ? "\n" : "";
    return { text: raw.slice(0, raw.length - eol.length), eol };
  });
}

/** Only the last original line can lack a line ending: give it one if lines now follow it. */
export function join(lines: Line[], eol: string, lacksFinalNewline: boolean): string {
  return lines
    .map((l, i) => {
      if (i === lines.length - 1) return l.text + (lacksFinalNewline ? "" : l.eol || eol);
      return l.text + (l.eol || eol);
    })
    .join("");
}

/** The profile-file grammar, as far as it decides where sections and properties begin and end. */
export function classify(lines: readonly Line[]): Kind[] {
  const kinds: Kind[] = [];
  let inValue = false;
  for (const { text } of lines) {
    const trimmed = text.trim();
    let kind: Kind;
    if (trimmed === "") kind = { kind: "other" };
    else if (inValue && /^[ \t]/.test(text)) kind = { kind: "continuation" };
    else if (trimmed.startsWith("#") || trimmed.startsWith(";")) kind = { kind: "other" };
    else if (trimmed.startsWith("[")) {
      const close = trimmed.indexOf("]");
      kind = { kind: "header", name: close === -1 ? undefined : trimmed.slice(1, close).replace(/^[ \t]+|[ \t]+$/g, "") };
    } else if (trimmed.includes("=")) kind = { kind: "property", key: trimmed.slice(0, trimmed.indexOf("=")).trim().toLowerCase() };
    else kind = { kind: "other" };
    inValue = kind.kind === "property" || kind.kind === "continuation";
    kinds.push(kind);
  }
  return kinds;
}
