import { UsageError } from "../errors.js";
import type { MfaCommand, SessionPlan, SourcePlan } from "../types.js";
import type { ProfilePlan } from "./build-plan.js";
import { parseSessionDuration, SESSION_DEFAULT_DURATION } from "./parse-duration.js";

/**
 * Pure: the MFA session (GetSessionToken) between the source and the first hop, when the profile whose long-term keys
 * are the source has mfa_serial: its serial, its DurationSeconds (--mfa-session-duration, else 12 h) and where its
 * code comes from (--mfa-process, else the profile's mfa_process, else --mfa-token or the terminal).
 */
export function decideSession(
  profile: ProfilePlan | undefined,
  source: SourcePlan,
  flags: { readonly mfaSessionDuration?: string | undefined; readonly mfaProcess?: MfaCommand | undefined },
): SessionPlan | undefined {
  const duration = flags.mfaSessionDuration === undefined ? undefined : parseSessionDuration(flags.mfaSessionDuration);
  const wanted = profile?.mfaSession;
  // The profile's keys are the source only when no other source was chosen (--source profile or auto).
  if (wanted === undefined || source.kind !== "static" || source.profile !== wanted.profile) {
    if (duration !== undefined) {
      throw new UsageError("--mfa-session-duration: this chain opens no MFA session", {
        hint: "it applies when the profile holding the long-term keys has mfa_serial (GetSessionToken); the role's own session length is --duration",
      });
    }
    return undefined;
  }
  return {
    profile: wanted.profile,
    serial: wanted.serial,
    durationSeconds: duration ?? SESSION_DEFAULT_DURATION,
    mfaProcess: flags.mfaProcess ?? wanted.mfaProcess,
  };
}
