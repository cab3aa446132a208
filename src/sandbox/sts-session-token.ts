/**
 * sts:GetSessionToken as AWS answers an IAM user: long-term keys only (a temporary session is refused), the MFA
 * serial and code checked against the user's device when given, 900–129600 s (default 12 h). The session acts as
 * the user; when MFA was presented, roles it assumes see aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge.
 */
import type { Caller } from "./caller.js";
import type { IssuedCredentials, UserSession } from "./issued-credentials.js";
import { checkMfaCode } from "./sts-assume-role.js";
import { stsErrors } from "./sts-errors.js";
import { parseSessionTokenParams } from "./sts-validate.js";
import type { World } from "./world.js";

const DEFAULT_SECONDS = 43_200;

export function getSessionToken(
  ctx: { readonly world: World; readonly issued: IssuedCredentials; readonly now: Date },
  caller: Caller,
  form: Readonly<Record<string, string>>,
): UserSession {
  const params = parseSessionTokenParams(form);
  if (caller.kind !== "user") throw stsErrors.accessDenied("Cannot call GetSessionToken with session credentials");
  const mfaAt = params.serialNumber === undefined && params.tokenCode === undefined ? undefined : checkMfaCode(ctx, caller, params);
  return ctx.issued.issueUserSession({
    user: caller.user,
    issuedAt: ctx.now,
    durationSeconds: params.durationSeconds ?? DEFAULT_SECONDS,
    mfaAuthenticatedAt: mfaAt,
  });
}
