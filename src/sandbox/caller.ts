/**
 * The identity behind a signed STS request: an IAM user (long-term key), a GetSessionToken session of an
 * IAM user (which AWS treats as that user), or a role session.
 */
import type { User } from "./world.js";
import type { IssuedSession, UserSession } from "./issued-credentials.js";
import type { PrincipalContext } from "./policy.js";
import type { Policy } from "./policy-document.js";

export type Caller =
  | { readonly kind: "user"; readonly user: User }
  | { readonly kind: "user-session"; readonly user: User; readonly userSession: UserSession }
  | { readonly kind: "session"; readonly session: IssuedSession };

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** A user session answers GetCallerIdentity as the user itself (AWS does the same). */
export function callerIdentity(caller: Caller): CallerIdentity {
  if (caller.kind !== "session") {
    return { account: caller.user.accountId, arn: caller.user.arn, userId: caller.user.userId };
  }
  const s = caller.session;
  return { account: s.role.accountId, arn: s.arn, userId: s.assumedRoleId };
}

/** How policies see the caller: a user session as its user; a role session as its role (and its session ARN). */
export function callerPrincipal(caller: Caller): PrincipalContext {
  if (caller.kind !== "session") {
    return { type: "User", arn: caller.user.arn, accountId: caller.user.accountId };
  }
  const s = caller.session;
  return { type: "AssumedRole", arn: s.role.arn, sessionArn: s.arn, accountId: s.role.accountId };
}

/** Identity policy of the caller: the user's policy, or the session's role's permission policy. */
export function callerPermissionPolicy(caller: Caller): Policy {
  return caller.kind === "session" ? caller.session.role.permissionPolicy : caller.user.permissionPolicy;
}

/**
 * AssumeRole with temporary credentials is capped like role chaining (1 hour, the same ValidationError): a role
 * session's, and also a user's GetSessionToken session's, as AWS is observed to do (protocol reference §2.3).
 * The session it gives is not one asked for by long-term keys, so the federation endpoint refuses SessionDuration.
 */
export function isRoleChaining(caller: Caller): boolean {
  return caller.kind !== "user";
}

/** When MFA was presented for the caller's temporary credentials; undefined for long-term keys or no MFA. */
export function callerMfaAt(caller: Caller): Date | undefined {
  if (caller.kind === "session") return caller.session.mfaAuthenticatedAt;
  return caller.kind === "user-session" ? caller.userSession.mfaAuthenticatedAt : undefined;
}
