const SPAN = /^(?:(\d{1,5})h)?(?:(\d{1,5})m)?(?:(\d{1,7})s)?$/;

/** Pure: `3600`, `45s`, `90m`, `3h`, `2h30m` → seconds; undefined when the text is none of those. */
export function parseSpan(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d{1,7}$/.test(t)) return Number(t);
  const m = SPAN.exec(t);
  if (!m || t === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
