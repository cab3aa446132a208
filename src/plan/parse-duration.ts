import { UsageError } from "../errors.js";

export const MIN_DURATION = 900;
export const MAX_DURATION = 43_200;
export const CHAINED_MAX_DURATION = 3_600;

const UNITS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const HUMAN = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** GetSessionToken for an IAM user: 15 min – 36 h, default 12 h. */
export const SESSION_MAX_DURATION = 129_600;
export const SESSION_DEFAULT_DURATION = 43_200;

/** `900`, `15m`, `1h`, `1h30m`, `max` → seconds (or "max"), within STS's 15 min – 12 h. */
export function parseDuration(input: string): number | "max" {
  if (input.trim().toLowerCase() === "max") return "max";
  return parseSpan(input, "--duration", MAX_DURATION, ", or max");
}

/** --mfa-session-duration: `900`, `15m`, `12h`, `36h` → seconds, within GetSessionToken's 15 min – 36 h for IAM users. */
export function parseSessionDuration(input: string): number {
  return parseSpan(input, "--mfa-session-duration", SESSION_MAX_DURATION, "");
}

function parseSpan(input: string, flag: string, max: number, orMax: string): number {
  const text = input.trim().toLowerCase();
  let seconds: number | undefined;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const m = HUMAN.exec(text);
    if (m && text !== "") {
      seconds = [m[1], m[2], m[3]].reduce<number>(
        (sum, part, i) => sum + (part === undefined ? 0 : Number(part) * UNITS["hms"[i]!]!),
        0,
      );
    }
  }
  if (seconds === undefined) {
    throw new UsageError(`${flag} '${input}': expected seconds (3600), a span like 15m, 1h or 1h30m${orMax}`);
  }
  const m = HUMAN.exec(text);
  if (m && ((m[1] !== undefined && Number(m[2] ?? 0) > 59) || ((m[1] ?? m[2]) !== undefined && Number(m[3] ?? 0) > 59))) {
    throw new UsageError(`${flag} '${input}': minutes and seconds after a larger unit must be 0-59 (write 2h1m, not 1h61m)`);
  }
  if (seconds < MIN_DURATION || seconds > max) {
    throw new UsageError(`${flag} '${input}': must be between 15m (900 s) and ${formatDuration(max)} (${max} s), got ${seconds} s`);
  }
  return seconds;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].join("") || "0s";
}

export interface DurationDecision {
  readonly seconds: number;
  /** Set when the user's explicit request was lowered to the chained-session cap. */
  readonly cappedFrom?: number | undefined;
}

/** What DurationSeconds a hop sends: default 1h, `max` is 12h unless chained, chained hops never over 1h. */
export function decideDuration(requested: number | "max" | undefined, chained: boolean): DurationDecision {
  if (requested === undefined) return { seconds: CHAINED_MAX_DURATION };
  if (requested === "max") return { seconds: chained ? CHAINED_MAX_DURATION : MAX_DURATION };
  if (chained && requested > CHAINED_MAX_DURATION) return { seconds: CHAINED_MAX_DURATION, cappedFrom: requested };
  return { seconds: requested };
}
