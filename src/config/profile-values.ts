/** Reading one key of a profile: blank counts as unset; values are checked against STS's rules. */
import { ConfigError } from "../errors.js";
import { MAX_DURATION, MIN_DURATION } from "../plan/parse-duration.js";
import type { HopPlan, MfaCommand } from "../types.js";
import type { Properties } from "./profile-set.js";

/** A profile's value, or undefined when absent or blank. */
export function value(profile: Properties, key: string): string | undefined {
  const v = profile.get(key);
  return v === undefined || v.trim() === "" ? undefined : v;
}

export function configError(profile: string, message: string, hint?: string): ConfigError {
  return new ConfigError(`profile ${profile}: ${message}`, { hint });
}

/**
 * Shape of a role ARN, without insisting on a 12-digit account (STS checks that, and the cross-SDK
 * test data uses shorter placeholder accounts).
 */
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d+:role\/[\w+=,.@/-]+$/;

const RULES: Readonly<Record<string, readonly [RegExp, string]>> = {
  role_arn: [ROLE_ARN, "a role ARN like arn:aws:iam::123456789012:role/NAME"],
  role_session_name: [/^[\w+=,.@-]{2,64}$/, "2-64 characters of letters, digits and +=,.@_-"],
  external_id: [/^[\w+=,.@:/-]{2,1224}$/, "2-1224 characters of letters, digits and +=,.@:/_-"],
  mfa_serial: [/^[\w+=/:,.@-]{9,256}$/, "a device serial or MFA ARN of 9-256 characters of letters, digits and +=/:,.@_-"],
};

/** A checked value for one of the keys in RULES. */
export function checked(name: string, profile: Properties, key: keyof typeof RULES & string): string | undefined {
  const v = value(profile, key);
  if (v === undefined) return undefined;
  const [pattern, rule] = RULES[key]!;
  if (!pattern.test(v)) throw configError(name, `${key} '${v}': must be ${rule}`);
  return v;
}

export function durationSeconds(name: string, profile: Properties): number | undefined {
  const v = value(profile, "duration_seconds");
  if (v === undefined) return undefined;
  const seconds = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!(seconds >= MIN_DURATION && seconds <= MAX_DURATION)) {
    throw configError(name, `duration_seconds '${v}': must be a whole number of seconds from ${MIN_DURATION} to ${MAX_DURATION}`);
  }
  return seconds;
}

/** The profile's mfa_process, named by where it is set (its text may hold a TOTP seed and is never printed). */
export function mfaCommand(name: string, profile: Properties): MfaCommand | undefined {
  const command = value(profile, "mfa_process");
  return command === undefined ? undefined : { command, origin: `mfa_process of profile ${name}` };
}

/** The AssumeRole call of a profile with role_arn. */
export function roleHop(name: string, profile: Properties): HopPlan {
  const duration = durationSeconds(name, profile);
  return {
    role: { kind: "arn", arn: checked(name, profile, "role_arn")! },
    sessionName: checked(name, profile, "role_session_name"),
    duration,
    durationOrigin: duration === undefined ? undefined : `duration_seconds of profile ${name}`,
    externalId: checked(name, profile, "external_id"),
    mfaSerial: checked(name, profile, "mfa_serial"),
    mfaProcess: mfaCommand(name, profile),
    profile: name,
  };
}
