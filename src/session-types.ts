/** The MFA session step (GetSessionToken before the hops), as planned and as run or cached. */
import type { Credentials, HopResult } from "./types.js";

/**
 * sts:GetSessionToken with MFA on the source's long-term keys (mfa_serial on the profile holding them, as aws-vault
 * does): one code opens a user session that every hop after it uses, cached like a hop and keyed by the access key
 * ID and the serial.
 */
export interface SessionPlan {
  /** The profile whose keys and mfa_serial these are. */
  readonly profile: string;
  readonly serial: string;
  /** DurationSeconds sent: --mfa-session-duration, else 12 h. */
  readonly durationSeconds: number;
  /** The command that prints the code (--mfa-process, else the profile's mfa_process); else --mfa-token or the terminal. */
  readonly mfaProcess?: MfaCommand | undefined;
}

/**
 * A command that prints an MFA code, with where it was configured. Messages and --dry-run name `origin`
 * (`--mfa-process`, `mfa_process of profile X`), never `command`: it may hold a TOTP seed (`oathtool --totp -b SEED`).
 */
export interface MfaCommand {
  readonly command: string;
  readonly origin: string;
}

/** What GetSessionToken gave (or the cache kept): the user's MFA session. */
export interface SessionResult {
  readonly kind: "mfa-session";
  readonly serial: string;
  readonly durationSeconds: number;
  readonly credentials: Credentials;
  /** The region STS was called in. */
  readonly region: string;
  readonly cached?: boolean | undefined;
}

/** What the cache keeps for one STS step: an AssumeRole hop, or the MFA session. */
export type StepResult = HopResult | SessionResult;

/** An MFA session (GetSessionToken), not an AssumeRole hop. */
export function isSessionResult(step: StepResult): step is SessionResult {
  return "kind" in step && step.kind === "mfa-session";
}
