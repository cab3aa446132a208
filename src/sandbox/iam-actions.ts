/**
 * The two IAM Query API actions `assume-role doctor` asks (GetRole, SimulatePrincipalPolicy), served beside STS
 * and honouring the world's own permissions: the caller's identity policy must allow iam:GetRole on the role,
 * iam:SimulatePrincipalPolicy on the simulated principal, as AWS requires. IAM is account-scoped: a caller sees
 * only its own account's roles and principals.
 */
import { callerIdentity, callerPermissionPolicy, callerPrincipal, type Caller } from "./caller.js";
import { evaluatePolicy, type Decision, type PrincipalContext } from "./policy.js";
import type { Policy } from "./policy-document.js";
import { StsError } from "./sts-errors.js";
import { isoSeconds, xmlEscape } from "./sts-xml.js";
import type { World } from "./world.js";

export const IAM_VERSION = "2010-05-08";
export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
const IAM_ACTIONS = ["GetRole", "SimulatePrincipalPolicy"];
/** Roles of a world have no creation time; one fixed date keeps answers stable. */
const CREATE_DATE = new Date("2020-01-01T00:00:00Z");

const iamErrors = {
  notAuthorized: (callerArn: string, action: string, resource: string) =>
    new StsError(
      403,
      "AccessDenied",
      `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    ),
  noSuchEntity: (message: string) => new StsError(404, "NoSuchEntity", message),
  invalidInput: (message: string) => new StsError(400, "InvalidInput", message),
  invalidAction: (action: string) => new StsError(400, "InvalidAction", `Could not find operation ${action} for version ${IAM_VERSION}`),
};

/** Run one IAM action for an authenticated caller; returns the XML body or throws an StsError (same wire shape). */
export function runIamAction(world: World, caller: Caller, form: Readonly<Record<string, string>>, requestId: string): string {
  const action = form["Action"] ?? "";
  if (!IAM_ACTIONS.includes(action)) throw iamErrors.invalidAction(action);
  return action === "GetRole" ? getRole(world, caller, form, requestId) : simulatePrincipalPolicy(world, caller, form, requestId);
}

function authorize(caller: Caller, action: string, resource: string): void {
  const decision = evaluatePolicy(callerPermissionPolicy(caller), { action, resource, principal: callerPrincipal(caller), keys: {} });
  if (decision !== "Allow") throw iamErrors.notAuthorized(callerIdentity(caller).arn, action, resource);
}

function getRole(world: World, caller: Caller, form: Readonly<Record<string, string>>, requestId: string): string {
  const name = form["RoleName"];
  if (!name) throw iamErrors.invalidInput("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null");
  const account = callerIdentity(caller).account;
  const role = world.accounts[account]?.roles[name];
  authorize(caller, "iam:GetRole", role?.arn ?? `arn:${world.partition}:iam::${account}:role/${name}`);
  if (role === undefined) throw iamErrors.noSuchEntity(`The role with name ${name} cannot be found.`);
  const result =
    `    <Role>\n` +
    `      ${el("Path", role.path)}\n` +
    `      ${el("AssumeRolePolicyDocument", encodeURIComponent(role.trustPolicyDocument))}\n` +
    `      ${el("MaxSessionDuration", String(role.maxSessionDuration))}\n` +
    `      ${el("RoleId", role.roleId)}\n` +
    `      ${el("RoleName", role.name)}\n` +
    `      ${el("Arn", role.arn)}\n` +
    `      ${el("CreateDate", isoSeconds(CREATE_DATE))}\n` +
    `    </Role>\n`;
  return envelope("GetRole", result, requestId);
}

function simulatePrincipalPolicy(world: World, caller: Caller, form: Readonly<Record<string, string>>, requestId: string): string {
  const source = form["PolicySourceArn"];
  if (!source) throw iamErrors.invalidInput("1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null");
  authorize(caller, "iam:SimulatePrincipalPolicy", source);
  const principal = findPrincipal(world, callerIdentity(caller).account, source);
  if (principal === undefined) throw iamErrors.noSuchEntity(`PolicySourceArn ${source} does not name a user or role of this account.`);
  const actions = members(form, "ActionNames");
  if (actions.length === 0) throw iamErrors.invalidInput("ActionNames must name at least one action.");
  const resources = members(form, "ResourceArns");
  const keys = contextEntries(form);
  const results: string[] = [];
  for (const action of actions) {
    for (const resource of resources.length > 0 ? resources : ["*"]) {
      const decision = evaluatePolicy(principal.policy, { action, resource, principal: principal.context, keys });
      results.push(
        `      <member>\n` +
          `        ${el("EvalActionName", action)}\n` +
          `        ${el("EvalResourceName", resource)}\n` +
          `        ${el("EvalDecision", EVAL_DECISION[decision])}\n` +
          `        <MatchedStatements/>\n        <MissingContextValues/>\n` +
          `      </member>\n`,
      );
    }
  }
  return envelope("SimulatePrincipalPolicy", `    <IsTruncated>false</IsTruncated>\n    <EvaluationResults>\n${results.join("")}    </EvaluationResults>\n`, requestId);
}

const EVAL_DECISION: Record<Decision, string> = { Allow: "allowed", ExplicitDeny: "explicitDeny", ImplicitDeny: "implicitDeny" };

/** A user or role ARN of `account`, with the identity policy IAM would simulate and how policies see it. */
function findPrincipal(world: World, account: string, arn: string): { policy: Policy; context: PrincipalContext } | undefined {
  const acct = world.accounts[account];
  for (const user of Object.values(acct?.users ?? {})) {
    if (user.arn === arn) return { policy: user.permissionPolicy, context: { type: "User", arn, accountId: account } };
  }
  for (const role of Object.values(acct?.roles ?? {})) {
    if (role.arn === arn) return { policy: role.permissionPolicy, context: { type: "AssumedRole", arn, accountId: account } };
  }
  return undefined;
}

/** `Name.member.1`, `Name.member.2`, … in order. */
function members(form: Readonly<Record<string, string>>, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; form[`${name}.member.${i}`] !== undefined; i++) out.push(form[`${name}.member.${i}`]!);
  return out;
}

/** ContextEntries.member.N.ContextKeyName / .ContextKeyValues.member.1: the first value of each key. */
function contextEntries(form: Readonly<Record<string, string>>): Record<string, string> {
  const keys: Record<string, string> = {};
  for (let i = 1; form[`ContextEntries.member.${i}.ContextKeyName`] !== undefined; i++) {
    const value = form[`ContextEntries.member.${i}.ContextKeyValues.member.1`];
    if (value !== undefined) keys[form[`ContextEntries.member.${i}.ContextKeyName`]!] = value;
  }
  return keys;
}

function el(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

function envelope(action: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${IAM_NAMESPACE}">\n` +
    `  <${action}Result>\n${result}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    ${el("RequestId", requestId)}\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}
