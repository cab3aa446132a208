import { ConfigError } from "../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * AWS_MAX_ATTEMPTS, the SDKs' total number of attempts per STS call (first try + retries); undefined:
 * the default (3). The SDKs' rule: a whole number, at least 1 (botocore refuses less; the JS SDK refuses
 * what is not a number). A value they would refuse is a configuration error here too, not ignored.
 */
export function maxAttemptsFromEnv(env: Env): number | undefined {
  const raw = env.AWS_MAX_ATTEMPTS;
  if (raw === undefined || raw === "") return undefined;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(n) && n >= 1) return n;
  throw new ConfigError(`AWS_MAX_ATTEMPTS '${raw}': must be a whole number of attempts, 1 or more`, {
    hint: "it counts the first try and the retries of each STS call; unset it for the default of 3",
  });
}
