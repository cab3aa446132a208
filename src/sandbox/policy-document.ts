/**
 * IAM policy documents as the sandbox understands them: parsed once from JSON into a normalized
 * shape (every list is an array, condition values are strings). Evaluation lives in policy.ts.
 */
import {
  childPath,
  expectObject,
  fail,
  isObject,
  rejectUnknownKeys,
  stringList,
  type JsonObject,
} from "./shape.js";

/** "identity": attached to a user or role (Resource required, no Principal). "trust": a role's trust policy. */
export type PolicyKind = "identity" | "trust";

export interface PrincipalSpec {
  /** `"Principal": "*"`: everyone, services included. */
  readonly everyone: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
}

export interface ConditionClause {
  /** As written, e.g. "StringEquals" or "NumericLessThanIfExists". */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string | undefined;
  readonly effect: "Allow" | "Deny";
  readonly action?: readonly string[] | undefined;
  readonly notAction?: readonly string[] | undefined;
  readonly resource?: readonly string[] | undefined;
  readonly notResource?: readonly string[] | undefined;
  readonly principal?: PrincipalSpec | undefined;
  readonly notPrincipal?: PrincipalSpec | undefined;
  readonly conditions: readonly ConditionClause[];
}

export interface Policy {
  readonly statements: readonly Statement[];
}

export const BASE_CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "Bool",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "ArnEquals",
  "ArnNotEquals",
  "ArnLike",
  "ArnNotLike",
  "Null",
] as const;

const STATEMENT_KEYS = [
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Principal",
  "NotPrincipal",
  "Condition",
];
const PRINCIPAL_KEYS = ["AWS", "Service", "Federated"];
const AWS_PRINCIPAL = new RegExp(
  String.raw`^(\*|\d{12}|arn:[\w-]+:iam::\d{12}:(root|user/.+|role/.+)|arn:[\w-]+:sts::\d{12}:assumed-role/[^/]+/.+)$`,
);

/** Parse a policy document; throws ShapeError(path, rule) on the first problem. */
export function parsePolicy(json: unknown, path: string, kind: PolicyKind): Policy {
  const doc = expectObject(json, path, "policy");
  rejectUnknownKeys(doc, ["Version", "Id", "Statement"], path);
  const version = doc["Version"];
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") {
    fail(path, 'Version must be "2012-10-17" or "2008-10-17"');
  }
  const raw = doc["Statement"];
  if (raw === undefined) fail(path, "Statement is required");
  if (!Array.isArray(raw) && !isObject(raw)) fail(path, "Statement must be an array or object");
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const statements = list.map((item, i) => parseStatement(item, `${path}.Statement[${i}]`, kind));
  return { statements };
}

function parseStatement(json: unknown, path: string, kind: PolicyKind): Statement {
  const st = expectObject(json, path, "statement");
  rejectUnknownKeys(st, STATEMENT_KEYS, path);
  const effect = st["Effect"];
  if (effect !== "Allow" && effect !== "Deny") fail(path, 'Effect must be "Allow" or "Deny"');
  const sid = st["Sid"];
  if (sid !== undefined && typeof sid !== "string") fail(path, "Sid must be a string");
  exactlyOne(st, "Action", "NotAction", path, true);
  const resource = exactlyOne(st, "Resource", "NotResource", path, kind === "identity");
  const principal = exactlyOne(st, "Principal", "NotPrincipal", path, kind === "trust");
  if (kind === "identity" && principal !== undefined) fail(path, `${principal} is not allowed in an identity policy`);
  if (kind === "trust" && resource !== undefined) fail(path, `${resource} is not allowed in a trust policy`);
  return {
    sid,
    effect,
    action: listOrUndefined(st, "Action", path),
    notAction: listOrUndefined(st, "NotAction", path),
    resource: listOrUndefined(st, "Resource", path),
    notResource: listOrUndefined(st, "NotResource", path),
    principal: optionalPrincipal(st, "Principal", path),
    notPrincipal: optionalPrincipal(st, "NotPrincipal", path),
    conditions: st["Condition"] === undefined ? [] : parseConditions(st["Condition"], path),
  };
}

/** Returns the name of the field present (if any); fails when both or (if required) neither are present. */
function exactlyOne(st: JsonObject, a: string, b: string, path: string, required: boolean): string | undefined {
  const hasA = st[a] !== undefined;
  const hasB = st[b] !== undefined;
  if (hasA && hasB) fail(path, `${a} and ${b} cannot both be present`);
  if (required && !hasA && !hasB) fail(path, `${a} or ${b} is required`);
  return hasA ? a : hasB ? b : undefined;
}

function listOrUndefined(st: JsonObject, key: string, path: string): string[] | undefined {
  return st[key] === undefined ? undefined : stringList(st[key], key, path);
}

function optionalPrincipal(st: JsonObject, key: string, path: string): PrincipalSpec | undefined {
  return st[key] === undefined ? undefined : parsePrincipal(st[key], childPath(path, key));
}

function parsePrincipal(json: unknown, path: string): PrincipalSpec {
  if (json === "*") return { everyone: true, aws: [], service: [], federated: [] };
  if (!isObject(json)) fail(path, 'must be "*" or an object with AWS, Service or Federated');
  rejectUnknownKeys(json, PRINCIPAL_KEYS, path);
  if (Object.keys(json).length === 0) fail(path, "must name at least one principal");
  const aws = json["AWS"] === undefined ? [] : stringList(json["AWS"], "AWS", path);
  for (const value of aws) {
    if (!AWS_PRINCIPAL.test(value)) {
      fail(path, `AWS principal must be "*", an account id or an IAM ARN (got "${value}")`);
    }
  }
  return {
    everyone: false,
    aws,
    service: json["Service"] === undefined ? [] : stringList(json["Service"], "Service", path),
    federated: json["Federated"] === undefined ? [] : stringList(json["Federated"], "Federated", path),
  };
}

function parseConditions(json: unknown, statementPath: string): ConditionClause[] {
  const path = childPath(statementPath, "Condition");
  const block = expectObject(json, statementPath, "Condition");
  const clauses: ConditionClause[] = [];
  for (const [operator, body] of Object.entries(block)) {
    if (!isKnownOperator(operator)) fail(path, `unsupported condition operator "${operator}"`);
    const keys = expectObject(body, childPath(path, operator), "condition operator body");
    for (const [key, value] of Object.entries(keys)) {
      clauses.push({ operator, key, values: conditionValues(value, childPath(path, operator), key) });
    }
  }
  return clauses;
}

export function isKnownOperator(operator: string): boolean {
  const base = operator.endsWith("IfExists") ? operator.slice(0, -"IfExists".length) : operator;
  if (base === "Null" && base !== operator) return false;
  return (BASE_CONDITION_OPERATORS as readonly string[]).includes(base);
}

function conditionValues(value: unknown, path: string, key: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) fail(path, `${key} must not be an empty array`);
  return items.map((item) => {
    if (typeof item === "string") return item;
    if (typeof item === "number" || typeof item === "boolean") return String(item);
    return fail(path, `${key} values must be strings, numbers or booleans`);
  });
}
