import { mapStsError } from "../sts/map-sts-error.js";
import { regionalStsEndpoint } from "../sts/sts-endpoint.js";
import type { SessionPlan, SessionResult, SourceResult } from "../types.js";
import type { HopEnv } from "./run-chain.js";

/**
 * The plan's MFA session, handed to whatever answers hops (the cache, or STS) under its own key. When it must really
 * run, it pulls the source (the profile's long-term keys), gets the code (the planned command, --mfa-token or the
 * terminal) and calls GetSessionToken with the planned serial and duration.
 */
export function runSession(session: SessionPlan, key: readonly string[], source: () => Promise<SourceResult>, env: HopEnv): Promise<SessionResult> {
  const { deps } = env;
  return deps.answerHop({
    key,
    label: `the MFA session of profile ${session.profile}`,
    run: async (): Promise<SessionResult> => {
      const caller = await source();
      const { region } = await env.region();
      const endpoint = deps.stsEndpoint ?? regionalStsEndpoint(region);
      const label = `the MFA session of profile ${session.profile}`;
      const code = await deps.mfaCode(session.serial, label, session.mfaProcess);
      const sts = deps.sts({ region, endpoint: deps.stsEndpoint, credentials: caller.credentials, debug: deps.debug });
      deps.debug(`MFA session: GetSessionToken with ${session.serial} for ${session.durationSeconds} s`);
      try {
        const out = await sts.getSessionToken({ DurationSeconds: session.durationSeconds, SerialNumber: session.serial, TokenCode: code });
        return { kind: "mfa-session", serial: session.serial, durationSeconds: session.durationSeconds, credentials: out.credentials, region };
      } catch (err) {
        throw mapStsError(err, { operation: "GetSessionToken", endpoint, session: label });
      }
    },
  });
}
