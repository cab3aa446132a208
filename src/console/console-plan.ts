/**
 * Pure: what a console sign-in asks of the federation endpoint, decided from the chain's plan and result.
 *
 * SessionDuration (900-43200 s, the console session's length) is sent only when the final hop's session was
 * asked for by long-term keys (not by an MFA session opened from them): AWS documents that a session obtained with DurationSeconds by any other caller
 * makes getSigninToken fail, and chained sessions are capped at 1 h anyway. It is then the hop's own
 * DurationSeconds (so `-d 8h` gives an 8-hour console). Everywhere else it is left out, as aws-vault always
 * does, and the console session ends with the credentials.
 */
import { UsageError } from "../errors.js";
import { parseRoleArn, partitionOfRegion } from "../plan/role-arn.js";
import { sourceIsRoleSession } from "../plan/pick-source.js";
import type { ChainPlan, ChainResult, Credentials } from "../types.js";

const MIN_SESSION = 900;
const MAX_SESSION = 43_200;

export function consoleSessionDuration(plan: ChainPlan): number | undefined {
  const last = plan.hops.at(-1);
  // After an MFA session the caller is GetSessionToken's session, not long-term keys (its hop is chained too).
  if (last === undefined || last.chained || plan.session !== undefined) return undefined;
  return Math.min(MAX_SESSION, Math.max(MIN_SESSION, last.params.DurationSeconds));
}

const LONG_TERM_HINT =
  "name a ROLE to assume first (assume-role console ROLE), or use a profile with role_arn; assume-role does not call GetFederationToken";

/** Before any request: a chain without hops from long-term keys has no session to sign in with. */
export function checkPlanHasSession(plan: ChainPlan, env: Readonly<Record<string, string | undefined>>): void {
  if (plan.hops.length > 0) return;
  const kind = plan.effectiveSource;
  if ((kind === "static" || kind === "env") && !sourceIsRoleSession(plan.source, kind, env)) {
    throw new UsageError(`console: the ${kind === "static" ? `keys of profile [${plan.source.kind === "static" ? plan.source.profile : "?"}]` : "keys in the environment"} are long-term, and the console needs a role session`, {
      hint: LONG_TERM_HINT,
    });
  }
}

/** After the chain: the final credentials must be a session (a credential_process may hand out long-term keys). */
export function checkIsSession(credentials: Credentials): asserts credentials is Credentials & { sessionToken: string } {
  if (credentials.sessionToken === undefined || credentials.sessionToken === "") {
    throw new UsageError("console: the chain ended with long-term keys (no session token), and the console needs a role session", {
      hint: LONG_TERM_HINT,
    });
  }
}

/** For --dry-run: the final role's partition when the plan names it by ARN (a bare name is completed at run time). */
export function plannedPartition(plan: ChainPlan): string | undefined {
  const role = plan.hops.at(-1)?.role;
  return role?.kind === "arn" ? parseRoleArn(role.arn)?.partition : undefined;
}

/** The partition whose sign-in and console hosts to use: the final role's, else the source's, else the region's. */
export function partitionOfResult(result: ChainResult): string {
  const role = result.roleArn === undefined ? undefined : parseRoleArn(result.roleArn);
  return role?.partition ?? result.source?.partition ?? partitionOfRegion(result.region);
}
