/** The identity behind a signed STS request: an IAM user (long-term key) or a role session. */
import type { User } from "./world.js";
import type { IssuedSession } from "./issued-credentials.js";
import type { PrincipalContext } from "./policy.js";
import type { Policy } from "./policy-document.js";

export type Caller =
  | { readonly kind: "user"; readonly user: User }
  | { readonly kind: "session"; readonly session: IssuedSession };

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

export function callerIdentity(caller: Caller): CallerIdentity {
  if (caller.kind === "user") {
    return { account: caller.user.accountId, arn: caller.user.arn, userId: caller.user.userId };
  }
  const s = caller.session;
  return { account: s.role.accountId, arn: s.arn, userId: s.assumedRoleId };
}

/** How policies see the caller: a role session is evaluated as its role (and its session ARN). */
export function callerPrincipal(caller: Caller): PrincipalContext {
  if (caller.kind === "user") {
    return { type: "User", arn: caller.user.arn, accountId: caller.user.accountId };
  }
  const s = caller.session;
  return { type: "AssumedRole", arn: s.role.arn, sessionArn: s.arn, accountId: s.role.accountId };
}

/** Identity policy of the caller: the user's policy, or the session's role's permission policy. */
export function callerPermissionPolicy(caller: Caller): Policy {
  return caller.kind === "user" ? caller.user.permissionPolicy : caller.session.role.permissionPolicy;
}

/** AssumeRole with role-session credentials is role chaining (1-hour cap). */
export function isRoleChaining(caller: Caller): boolean {
  return caller.kind === "session";
}
