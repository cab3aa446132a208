/**
 * sts:AssumeRole as AWS enforces it: model validation, MFA check, then for every action the call
 * needs (sts:AssumeRole, plus sts:TagSession / sts:SetSourceIdentity when used) BOTH the caller's
 * identity policy and the role's trust policy must allow it (an explicit Deny anywhere wins); then
 * the duration limits (role MaxSessionDuration, 1 hour for role chaining); then a new session.
 * Session tags follow AWS's chaining rules: a session remembers its transitive tags, the next session
 * inherits them, and a request that sets an inherited transitive key again fails.
 */
import { callerIdentity, callerPermissionPolicy, callerPrincipal, isRoleChaining, type Caller } from "./caller.js";
import type { IssuedCredentials, IssuedSession, SessionTag } from "./issued-credentials.js";
import { evaluatePolicy, type RequestContext } from "./policy.js";
import { findMfaDevice, findRoleByArn, type Role, type World } from "./world.js";
import { stsErrors } from "./sts-errors.js";
import { parseAssumeRoleParams, type AssumeRoleParams } from "./sts-validate.js";

export interface AssumeRoleContext {
  readonly world: World;
  readonly issued: IssuedCredentials;
  readonly now: Date;
}

const CHAINING_LIMIT_SECONDS = 3600;

export function assumeRole(
  ctx: AssumeRoleContext,
  caller: Caller,
  form: Readonly<Record<string, string>>,
): IssuedSession {
  const params = parseAssumeRoleParams(form);
  if (params.policy !== undefined) checkSessionPolicy(params.policy);
  const tags = sessionTags(caller, params);
  const callerArn = callerIdentity(caller).arn;
  const role = findRoleByArn(ctx.world, params.roleArn);
  if (role === undefined) throw stsErrors.notAuthorized(callerArn, "sts:AssumeRole", params.roleArn);
  const mfaAt = checkMfa(ctx, caller, params);
  const request = (action: string): RequestContext => ({
    action,
    resource: role.arn,
    principal: callerPrincipal(caller),
    keys: conditionKeys(ctx.now, caller, params, mfaAt),
  });
  for (const action of requiredActions(params, tags.inherited.length > 0)) {
    const identity = evaluatePolicy(callerPermissionPolicy(caller), request(action));
    const trust = evaluatePolicy(role.trustPolicy, request(action));
    if (identity !== "Allow" || trust !== "Allow") throw stsErrors.notAuthorized(callerArn, action, role.arn);
  }
  const durationSeconds = checkDuration(caller, role, params.durationSeconds);
  return ctx.issued.issue({
    role,
    partition: ctx.world.partition,
    sessionName: params.roleSessionName,
    issuedAt: ctx.now,
    durationSeconds,
    mfaAuthenticatedAt: mfaAt,
    sourceIdentity: params.sourceIdentity ?? (caller.kind === "session" ? caller.session.sourceIdentity : undefined),
    tags: [...params.tags, ...tags.inherited],
    transitiveTagKeys: tags.transitiveKeys,
    origin: "sts",
    chained: isRoleChaining(caller),
  });
}

function checkSessionPolicy(policy: string): void {
  try {
    JSON.parse(policy);
  } catch {
    throw stsErrors.malformedPolicy("Syntax errors in policy.");
  }
}

/**
 * The request's tags checked against the caller's session: transitive keys must be among the request's
 * tags, no key twice, none that the caller's session passes on. Returns the tags the new session inherits
 * and all of its transitive keys (lower-cased).
 */
function sessionTags(caller: Caller, params: AssumeRoleParams): { inherited: SessionTag[]; transitiveKeys: string[] } {
  const requested = params.tags.map((t) => t.key.toLowerCase());
  if (new Set(requested).size < requested.length) {
    throw stsErrors.invalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  }
  const own = params.transitiveTagKeys.map((k) => k.toLowerCase());
  if (own.some((k) => !requested.includes(k))) {
    throw stsErrors.invalidParameterValue("The specified transitive tag key must be included in the requested tags.");
  }
  const parent = caller.kind === "session" ? caller.session : undefined;
  const inheritedKeys = parent?.transitiveTagKeys ?? [];
  if (requested.some((k) => inheritedKeys.includes(k))) {
    throw stsErrors.invalidParameterValue(
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
  }
  const inherited = (parent?.tags ?? []).filter((t) => inheritedKeys.includes(t.key.toLowerCase()));
  return { inherited, transitiveKeys: [...new Set([...own, ...inheritedKeys])] };
}

/** sts:TagSession is needed to set tags, and to carry inherited transitive tags into the new session. */
export function requiredActions(params: AssumeRoleParams, inheritsTags = false): string[] {
  const actions = ["sts:AssumeRole"];
  if (params.tags.length > 0 || params.transitiveTagKeys.length > 0 || inheritsTags) actions.push("sts:TagSession");
  if (params.sourceIdentity !== undefined) actions.push("sts:SetSourceIdentity");
  return actions;
}

/**
 * MFA presented in this request: the serial must be a device of the world (of the calling user,
 * when the caller is a user) and the code must be the one configured for it.
 * Returns when MFA was authenticated: now, or inherited from the caller's session, or undefined.
 */
function checkMfa(ctx: AssumeRoleContext, caller: Caller, params: AssumeRoleParams): Date | undefined {
  const inherited = caller.kind === "session" ? caller.session.mfaAuthenticatedAt : undefined;
  if (params.serialNumber === undefined && params.tokenCode === undefined) return inherited;
  const found = params.serialNumber === undefined ? undefined : findMfaDevice(ctx.world, params.serialNumber);
  const ownDevice = found !== undefined && (caller.kind !== "user" || found.user.arn === caller.user.arn);
  if (!ownDevice || params.tokenCode === undefined) {
    throw stsErrors.accessDenied("MultiFactorAuthentication failed, unable to validate MFA code.");
  }
  if (params.tokenCode !== found.device.code) {
    throw stsErrors.accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.");
  }
  return ctx.now;
}

/** Request-context keys available to policy conditions (names as AWS spells them). */
export function conditionKeys(
  now: Date,
  caller: Caller,
  params: AssumeRoleParams,
  mfaAt: Date | undefined,
): Record<string, string> {
  const principal = callerPrincipal(caller);
  const keys: Record<string, string> = {
    "aws:PrincipalArn": principal.arn ?? "",
    "aws:PrincipalAccount": principal.accountId ?? "",
    "aws:PrincipalType": principal.type,
    "aws:userid": callerIdentity(caller).userId,
    "aws:CurrentTime": now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
    "sts:RoleSessionName": params.roleSessionName,
  };
  if (caller.kind === "user") keys["aws:username"] = caller.user.name;
  if (params.externalId !== undefined) keys["sts:ExternalId"] = params.externalId;
  if (params.sourceIdentity !== undefined) keys["sts:SourceIdentity"] = params.sourceIdentity;
  const sourceIdentity = caller.kind === "session" ? caller.session.sourceIdentity : undefined;
  if (sourceIdentity !== undefined) keys["aws:SourceIdentity"] = sourceIdentity;
  for (const tag of params.tags) keys[`aws:RequestTag/${tag.key}`] = tag.value;
  if (caller.kind === "session") for (const tag of caller.session.tags) keys[`aws:PrincipalTag/${tag.key}`] = tag.value;
  // AWS: absent for long-term credentials without MFA, "false" for temporary credentials without MFA.
  if (mfaAt !== undefined) {
    keys["aws:MultiFactorAuthPresent"] = "true";
    keys["aws:MultiFactorAuthAge"] = String(Math.max(0, Math.floor((now.getTime() - mfaAt.getTime()) / 1000)));
  } else if (caller.kind === "session") {
    keys["aws:MultiFactorAuthPresent"] = "false";
  }
  return keys;
}

function checkDuration(caller: Caller, role: Role, requested: number | undefined): number {
  const seconds = requested ?? 3600;
  if (isRoleChaining(caller) && seconds > CHAINING_LIMIT_SECONDS) {
    throw stsErrors.validation(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (seconds > role.maxSessionDuration) {
    throw stsErrors.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  return seconds;
}
