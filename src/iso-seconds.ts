/** A time as ISO 8601 to the second (`2026-12-01T03:00:00Z`), as AWS writes expirations. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
