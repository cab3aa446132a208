/**
 * An AccessDenied on a hop, explained (seed 003's table): the caller's identity policy AND the role's trust policy
 * must both allow the AssumeRole. Doctor prints the statement each side needs, filled in with the real ARNs and the
 * conditions this hop uses, and asks IAM, as the caller, which side denies: iam:SimulatePrincipalPolicy for the
 * caller's own identity policy, iam:GetRole for the role's trust policy. Where the caller may not read IAM, it
 * says so and both statements stand.
 */
import type { EvalDecision, IamApi } from "../iam/iam-api.js";
import { parseIdentityArn, parseRoleArn } from "../plan/role-arn.js";
import type { AssumeRoleInput } from "../sts/sts-api.js";
import type { StatementAdvice } from "./check.js";
import { trustVerdict } from "./trust-verdict.js";

export interface DenialFacts {
  /** The caller's identity: an IAM user ARN or an assumed-role session ARN. */
  readonly callerArn: string;
  readonly roleArn: string;
  /** The AssumeRole as sent (ExternalId, SerialNumber, Tags, SourceIdentity). */
  readonly input: AssumeRoleInput;
  /** An earlier hop of the chain made tags transitive: this hop carries them, which needs sts:TagSession. */
  readonly inheritsTags: boolean;
}

export interface DenialExplanation {
  readonly statements: readonly StatementAdvice[];
  /** One line: which side denies, or that it cannot tell. */
  readonly conclusion: string;
  /** The role's maximum session, when GetRole could read it. */
  readonly maxSessionDuration?: number | undefined;
}

/** The actions this AssumeRole needs on both sides. */
export function neededActions(input: AssumeRoleInput, inheritsTags: boolean): string[] {
  const actions = ["sts:AssumeRole"];
  if ((input.Tags?.length ?? 0) > 0 || (input.TransitiveTagKeys?.length ?? 0) > 0 || inheritsTags) actions.push("sts:TagSession");
  if (input.SourceIdentity !== undefined) actions.push("sts:SetSourceIdentity");
  return actions;
}

/** Pure: the two statements, filled in. The trust statement names the caller's user or role ARN, never its session. */
export function allowingStatements(facts: DenialFacts): { principalArn: string; identity: Record<string, unknown>; trust: Record<string, unknown> } {
  const principalArn = parseIdentityArn(facts.callerArn)?.principalArn ?? facts.callerArn;
  const actions = neededActions(facts.input, facts.inheritsTags);
  const action = actions.length === 1 ? actions[0]! : actions;
  const condition: Record<string, Record<string, string>> = {};
  if (facts.input.ExternalId !== undefined) condition["StringEquals"] = { "sts:ExternalId": facts.input.ExternalId };
  if (facts.input.SerialNumber !== undefined) condition["Bool"] = { "aws:MultiFactorAuthPresent": "true" };
  return {
    principalArn,
    identity: { Effect: "Allow", Action: action, Resource: facts.roleArn },
    trust: { Effect: "Allow", Principal: { AWS: principalArn }, Action: action, ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) },
  };
}

/** The request's condition keys as the trust policy sees them. */
function requestKeys(facts: DenialFacts, principalArn: string, accountId: string): Record<string, string> {
  const keys: Record<string, string> = {
    "aws:PrincipalArn": principalArn,
    "aws:PrincipalAccount": accountId,
    "sts:RoleSessionName": facts.input.RoleSessionName ?? "",
  };
  if (facts.input.ExternalId !== undefined) keys["sts:ExternalId"] = facts.input.ExternalId;
  if (facts.input.SourceIdentity !== undefined) keys["sts:SourceIdentity"] = facts.input.SourceIdentity;
  for (const tag of facts.input.Tags ?? []) if (tag.Key !== undefined) keys[`aws:RequestTag/${tag.Key}`] = tag.Value ?? "";
  if (facts.input.SerialNumber !== undefined) {
    keys["aws:MultiFactorAuthPresent"] = "true";
    keys["aws:MultiFactorAuthAge"] = "0";
  } else if (/:assumed-role\//.test(facts.callerArn)) {
    keys["aws:MultiFactorAuthPresent"] = "false";
  }
  return keys;
}

type Side = { verdict: "allows" | "denies" | "unknown"; why: string; read: boolean };

/** Ask IAM (as the caller) about both sides, then say which denies. */
export async function explainDenial(facts: DenialFacts, iam: IamApi): Promise<DenialExplanation> {
  const { principalArn, identity, trust } = allowingStatements(facts);
  const caller = parseIdentityArn(facts.callerArn);
  const role = parseRoleArn(facts.roleArn);
  const actions = neededActions(facts.input, facts.inheritsTags);
  const keys = requestKeys(facts, principalArn, caller?.accountId ?? "");
  const context: Record<string, string> = {};
  if (facts.input.ExternalId !== undefined) context["sts:ExternalId"] = facts.input.ExternalId;

  const identitySide: Promise<Side> = iam
    .simulatePrincipalPolicy({ policySourceArn: principalArn, actions, resourceArn: facts.roleArn, context })
    .then((decisions) => identityVerdict(decisions, actions), (err: unknown) => unreadable("iam:SimulatePrincipalPolicy", principalArn, err));
  let maxSessionDuration: number | undefined;
  const trustSide: Promise<Side> =
    role === undefined || caller === undefined || role.accountId !== caller.accountId
      ? Promise.resolve({
          verdict: "unknown",
          read: false,
          why: `not read: the role is in account ${role?.accountId ?? "?"}, and IAM shows a role only to its own account (the caller is in ${caller?.accountId ?? "?"})`,
        })
      : iam.getRole(role.pathAndName.split("/").at(-1)!).then(
          (info) => {
            maxSessionDuration = info.maxSessionDuration;
            const v = trustVerdict(info.trustPolicy, { principalArn, sessionArn: facts.callerArn, accountId: caller.accountId, actions, keys });
            return { ...v, why: `${v.why} (read with iam:GetRole)`, read: true };
          },
          (err: unknown) => unreadable("iam:GetRole", facts.roleArn, err),
        );
  const [ids, tru] = await Promise.all([identitySide, trustSide]);
  // Both are needed: when one side is known to allow, the other is the one that denies.
  const idSide: Side = ids.verdict === "unknown" && tru.verdict === "allows" ? { ...ids, verdict: "denies", why: `${ids.why}; it must be this side, as the trust policy allows` } : ids;
  const trSide: Side = tru.verdict === "unknown" && ids.verdict === "allows" ? { ...tru, verdict: "denies", why: `${tru.why}; it must be this side, as the identity policy allows` } : tru;
  return {
    statements: [
      { side: "identity", attachTo: principalArn, verdict: idSide.verdict, why: idSide.why, statement: identity },
      { side: "trust", attachTo: facts.roleArn, verdict: trSide.verdict, why: trSide.why, statement: trust },
    ],
    conclusion: conclusion(idSide, trSide),
    maxSessionDuration,
  };
}

function identityVerdict(decisions: Readonly<Record<string, EvalDecision>>, actions: readonly string[]): Side {
  const denied = actions.filter((a) => decisions[a] !== "allowed");
  const explicit = actions.filter((a) => decisions[a] === "explicitDeny");
  if (denied.length === 0) return { verdict: "allows", why: `allows ${actions.join(" and ")} (iam:SimulatePrincipalPolicy)`, read: true };
  const how = explicit.length > 0 ? `an explicit Deny for ${explicit.join(" and ")}` : `no statement allows ${denied.join(" and ")}`;
  return { verdict: "denies", why: `${how} (iam:SimulatePrincipalPolicy)`, read: true };
}

function unreadable(action: string, resource: string, err: unknown): Side {
  const e = err as { name?: string; message?: string };
  const reason = e?.name === "AccessDenied" || e?.name === "AccessDeniedException" ? `the caller may not ${action} on ${resource}` : `${action} failed (${e?.name ?? "error"}: ${e?.message ?? String(err)})`;
  return { verdict: "unknown", why: `not read: ${reason}`, read: false };
}

function conclusion(identity: Side, trust: Side): string {
  if (identity.verdict === "denies" && trust.verdict === "denies") return "both sides deny: add both statements";
  if (identity.verdict === "denies") return "the identity policy denies; the trust policy is not the problem here";
  if (trust.verdict === "denies") return "the trust policy denies; the identity policy is not the problem here";
  if (identity.verdict === "allows" && trust.verdict === "allows") {
    return "IAM says both sides allow: look for a permissions boundary, an SCP or a session policy on the caller";
  }
  return "cannot tell which side denies (IAM could not be read as the caller): both statements are needed";
}
