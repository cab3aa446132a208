/**
 * Pure: does a role's trust policy (as iam:GetRole hands it back) let this caller make this AssumeRole? IAM offers
 * no API that simulates a trust policy, so doctor reads it itself, for the common shapes only: Principal `*`, an
 * account, or a user/role ARN; Action / NotAction; the condition operators below. Anything else it does not
 * pretend to know: the verdict is then `unknown` and says what it could not judge.
 */

export interface TrustRequest {
  /** The caller as a trust policy names it: the user ARN, or the role ARN of a role session. */
  readonly principalArn: string;
  /** The caller's assumed-role session ARN, when it is a role session. */
  readonly sessionArn?: string | undefined;
  readonly accountId: string;
  readonly actions: readonly string[];
  /** Request condition keys (sts:ExternalId, aws:MultiFactorAuthPresent, ...), matched case-insensitively. */
  readonly keys: Readonly<Record<string, string>>;
}

export interface TrustVerdict {
  readonly verdict: "allows" | "denies" | "unknown";
  readonly why: string;
}

type Applies = boolean | "unknown";
type Json = Record<string, unknown>;

export function trustVerdict(document: unknown, request: TrustRequest): TrustVerdict {
  const statements = statementsOf(document);
  if (statements === undefined) return { verdict: "unknown", why: "the trust policy does not parse as a policy document" };
  const keys = new Map(Object.entries(request.keys).map(([k, v]) => [k.toLowerCase(), v]));
  const missing: string[] = [];
  let unknown: string | undefined;
  for (const action of request.actions) {
    const verdicts = statements.map((st) => ({ st, applies: applies(st, action, request, keys) }));
    const deny = verdicts.find((v) => v.st["Effect"] === "Deny" && v.applies === true);
    if (deny) return { verdict: "denies", why: `a Deny statement of the trust policy matches ${action}` };
    const allowed = verdicts.some((v) => v.st["Effect"] === "Allow" && v.applies === true);
    const unsure = verdicts.find((v) => v.applies === "unknown");
    if (unsure) unknown ??= `a statement has a condition doctor cannot judge (${conditionOperators(unsure.st).join(", ")})`;
    if (!allowed && !unsure) missing.push(action);
  }
  if (missing.length > 0) return { verdict: "denies", why: `no statement allows ${missing.join(" and ")} for ${request.principalArn}${conditionsNote(request)}` };
  if (unknown !== undefined) return { verdict: "unknown", why: unknown };
  return { verdict: "allows", why: `it allows ${request.actions.join(" and ")} for ${request.principalArn}` };
}

function conditionsNote(request: TrustRequest): string {
  const used = Object.keys(request.keys).filter((k) => k === "sts:ExternalId" || k === "aws:MultiFactorAuthPresent");
  return used.length > 0 ? ` with the ${used.join(" and ")} this hop sends` : "";
}

function statementsOf(document: unknown): Json[] | undefined {
  if (!isObject(document)) return undefined;
  const list = document["Statement"];
  const items = Array.isArray(list) ? list : isObject(list) ? [list] : undefined;
  return items?.every(isObject) ? (items as Json[]) : undefined;
}

function applies(st: Json, action: string, request: TrustRequest, keys: ReadonlyMap<string, string>): Applies {
  const actionMatches =
    st["Action"] !== undefined ? strings(st["Action"]).some((p) => wildcard(p, action)) : !strings(st["NotAction"]).some((p) => wildcard(p, action));
  if (!actionMatches) return false;
  if (st["Principal"] !== undefined && !principalMatches(st["Principal"], request)) return false;
  if (st["NotPrincipal"] !== undefined && principalMatches(st["NotPrincipal"], request)) return false;
  return conditionsHold(st["Condition"], keys);
}

function principalMatches(principal: unknown, request: TrustRequest): boolean {
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  return strings(principal["AWS"]).some(
    (p) =>
      p === "*" ||
      p === request.accountId ||
      p === `arn:${request.principalArn.split(":")[1]}:iam::${request.accountId}:root` ||
      p === request.principalArn ||
      p === request.sessionArn,
  );
}

const KNOWN = new Set(["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "Bool", "NumericLessThan", "NumericLessThanEquals", "ArnEquals", "ArnLike"]);

function conditionsHold(condition: unknown, keys: ReadonlyMap<string, string>): Applies {
  if (condition === undefined) return true;
  if (!isObject(condition)) return "unknown";
  let result: Applies = true;
  for (const [operator, body] of Object.entries(condition)) {
    const ifExists = operator.endsWith("IfExists");
    const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
    if (!KNOWN.has(base) || !isObject(body)) return "unknown";
    for (const [key, value] of Object.entries(body)) {
      const actual = keys.get(key.toLowerCase());
      const expected = strings(value);
      const negated = base.includes("Not");
      if (actual === undefined) {
        if (!(ifExists || negated)) result = false;
        continue;
      }
      const matched = expected.some((e) => compare(base.replace("Not", ""), e, actual));
      if (matched === negated) result = false;
    }
  }
  return result;
}

function compare(operator: string, expected: string, actual: string): boolean {
  if (operator === "StringEquals") return expected === actual;
  if (operator === "Bool") return expected.toLowerCase() === actual.toLowerCase();
  if (operator === "NumericLessThan") return Number(actual) < Number(expected);
  if (operator === "NumericLessThanEquals") return Number(actual) <= Number(expected);
  return wildcard(expected, actual, false);
}

function conditionOperators(st: Json): string[] {
  return isObject(st["Condition"]) ? Object.keys(st["Condition"]) : ["a Condition that is not an object"];
}

function wildcard(pattern: string, value: string, ignoreCase = true): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => String(v));
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
