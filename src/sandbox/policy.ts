/**
 * Pure IAM policy evaluation for the sandbox (a useful subset of AWS's rules):
 * a statement applies when its action, resource, principal and every condition match;
 * an applicable Deny beats any Allow; with no applicable statement the request is implicitly denied.
 */
import type { ConditionClause, Policy, PrincipalSpec, Statement } from "./policy-document.js";

export type PrincipalType = "User" | "AssumedRole" | "Service" | "WebIdentity";

/** Who is asking, as policies see it. A role session is matched by its role ARN (and its session ARN). */
export interface PrincipalContext {
  readonly type: PrincipalType;
  /** IAM user ARN, or the role ARN (with path) for a role session; absent for a service. */
  readonly arn?: string | undefined;
  /** arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION for a role session. */
  readonly sessionArn?: string | undefined;
  readonly accountId?: string | undefined;
  /** e.g. "ec2.amazonaws.com" */
  readonly service?: string | undefined;
  /** For a web identity: the OIDC provider's ARN (arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST). */
  readonly federated?: string | undefined;
}

export interface RequestContext {
  readonly action: string;
  readonly resource: string;
  readonly principal: PrincipalContext;
  /** Condition keys present in the request; names are matched case-insensitively. */
  readonly keys: Readonly<Record<string, string>>;
}

export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

export function evaluatePolicy(policy: Policy, request: RequestContext): Decision {
  return combineDecisions(policy.statements.map((st) => evaluateStatement(st, request)));
}

/** Deny wins over Allow, Allow over nothing. */
export function combineDecisions(decisions: readonly Decision[]): Decision {
  if (decisions.includes("ExplicitDeny")) return "ExplicitDeny";
  if (decisions.includes("Allow")) return "Allow";
  return "ImplicitDeny";
}

export function evaluateStatement(st: Statement, request: RequestContext): Decision {
  if (!statementApplies(st, request)) return "ImplicitDeny";
  return st.effect === "Allow" ? "Allow" : "ExplicitDeny";
}

export function statementApplies(st: Statement, request: RequestContext): boolean {
  const keys = lowerCaseKeys(request.keys);
  return (
    matchesList(st.action, st.notAction, (p) => wildcardMatch(p, request.action, true)) &&
    matchesList(st.resource, st.notResource, (p) => wildcardMatch(p, request.resource, false)) &&
    (st.principal === undefined || principalMatches(st.principal, request.principal)) &&
    (st.notPrincipal === undefined || !principalMatches(st.notPrincipal, request.principal)) &&
    st.conditions.every((clause) => conditionHolds(clause, keys))
  );
}

/** Absent list and absent Not-list: the element is not constrained (e.g. Resource in a trust policy). */
function matchesList(
  list: readonly string[] | undefined,
  notList: readonly string[] | undefined,
  match: (pattern: string) => boolean,
): boolean {
  if (list !== undefined) return list.some(match);
  if (notList !== undefined) return !notList.some(match);
  return true;
}

/** `*` matches any run of characters, `?` any single character; everything else is literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

export function principalMatches(spec: PrincipalSpec, who: PrincipalContext): boolean {
  if (spec.everyone) return true;
  if (who.type === "Service") return who.service !== undefined && spec.service.includes(who.service);
  if (who.type === "WebIdentity") return who.federated !== undefined && spec.federated.includes(who.federated);
  return spec.aws.some((value) => awsPrincipalMatches(value, who));
}

const ACCOUNT_ROOT = /^arn:[\w-]+:iam::(\d{12}):root$/;

function awsPrincipalMatches(value: string, who: PrincipalContext): boolean {
  if (value === "*") return true;
  if (/^\d{12}$/.test(value)) return who.accountId === value;
  const root = ACCOUNT_ROOT.exec(value);
  if (root) return who.accountId === root[1];
  return value === who.arn || (who.sessionArn !== undefined && value === who.sessionArn);
}

function lowerCaseKeys(keys: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v]));
}

const NEGATED = new Set([
  "StringNotEquals",
  "StringNotEqualsIgnoreCase",
  "StringNotLike",
  "NumericNotEquals",
  "ArnNotEquals",
  "ArnNotLike",
]);

/**
 * One condition key under one operator. Values are OR-ed (NOR for negated operators).
 * A key missing from the request fails positive operators, satisfies negated ones and `…IfExists`.
 */
export function conditionHolds(clause: ConditionClause, keys: ReadonlyMap<string, string>): boolean {
  const ifExists = clause.operator.endsWith("IfExists");
  const base = ifExists ? clause.operator.slice(0, -"IfExists".length) : clause.operator;
  const actual = keys.get(clause.key.toLowerCase());
  if (base === "Null") {
    return clause.values.some((v) => (v.toLowerCase() === "true") === (actual === undefined));
  }
  if (actual === undefined) return ifExists || NEGATED.has(base);
  if (NEGATED.has(base)) {
    const positive = base.replace("Not", "");
    return !clause.values.some((expected) => compare(positive, expected, actual));
  }
  return clause.values.some((expected) => compare(base, expected, actual));
}

function compare(operator: string, expected: string, actual: string): boolean {
  switch (operator) {
    case "StringEquals":
      return expected === actual;
    case "StringEqualsIgnoreCase":
      return expected.toLowerCase() === actual.toLowerCase();
    case "StringLike":
    case "ArnEquals":
    case "ArnLike":
      return wildcardMatch(expected, actual, false);
    case "Bool":
      return expected.toLowerCase() === actual.toLowerCase();
    default:
      return compareNumbers(operator, expected, actual);
  }
}

function compareNumbers(operator: string, expectedText: string, actualText: string): boolean {
  const expected = Number(expectedText);
  const actual = Number(actualText);
  if (expectedText.trim() === "" || actualText.trim() === "" || Number.isNaN(expected) || Number.isNaN(actual)) {
    return false;
  }
  switch (operator) {
    case "NumericEquals":
      return actual === expected;
    case "NumericLessThan":
      return actual < expected;
    case "NumericLessThanEquals":
      return actual <= expected;
    case "NumericGreaterThan":
      return actual > expected;
    case "NumericGreaterThanEquals":
      return actual >= expected;
    default:
      return false;
  }
}
