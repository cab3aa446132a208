/**
 * Times as ISO 8601 in UTC, without Date.prototype.toISOString for the years 0000 to 9999: its first call in a
 * process costs ~0.7 ms (V8 sets up time-zone data it does not use), which every run that prints an expiration
 * paid. The same text as toISOString for every time (a property test holds them equal); outside those years,
 * which toISOString writes with a sign and six digits, and for an invalid date (a RangeError), it is toISOString.
 */

/** `2026-12-01T03:00:00.000Z`, as toISOString writes it. */
export function isoMillis(d: Date): string {
  return fourDigitYear(d) ? `${isoSecondsBody(d)}.${pad(d.getUTCMilliseconds(), 3)}Z` : d.toISOString();
}

/** A time as ISO 8601 to the second (`2026-12-01T03:00:00Z`), as AWS writes expirations. */
export function isoSeconds(d: Date): string {
  return fourDigitYear(d) ? `${isoSecondsBody(d)}Z` : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function fourDigitYear(d: Date): boolean {
  const year = d.getUTCFullYear();
  return year >= 0 && year <= 9999;
}

function isoSecondsBody(d: Date): string {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  return `${date}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
