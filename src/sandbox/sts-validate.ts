/** Model-level validation of AssumeRole parameters (STS Smithy model constraints, AWS's wording). */
import { validationError, type Violation } from "./sts-errors.js";

export interface AssumeRoleParams {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds?: number | undefined;
  readonly externalId?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly tokenCode?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly policy?: string | undefined;
  readonly policyArns: readonly string[];
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly transitiveTagKeys: readonly string[];
}

interface Rule {
  readonly member: string;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}

const RULES: Record<string, Rule> = {
  RoleArn: { member: "roleArn", required: true, min: 20, max: 2048 },
  RoleSessionName: { member: "roleSessionName", required: true, min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  ExternalId: { member: "externalId", min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" },
  SerialNumber: { member: "serialNumber", min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
  TokenCode: { member: "tokenCode", min: 6, max: 6, pattern: "[\\d]*" },
  SourceIdentity: { member: "sourceIdentity", min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  Policy: { member: "policy", min: 1, max: 2048 },
};

function checkString(rule: Rule, value: string | undefined, out: Violation[]): void {
  const violation = (constraint: string) => out.push({ member: rule.member, value, constraint });
  if (value === undefined) {
    if (rule.required) violation("Member must not be null");
    return;
  }
  if (rule.min !== undefined && value.length < rule.min) {
    violation(`Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    violation(`Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern !== undefined && !new RegExp(`^${rule.pattern}$`).test(value)) {
    violation(`Member must satisfy regular expression pattern: ${rule.pattern}`);
  }
}

function checkDuration(raw: string | undefined, out: Violation[], max = 43200): number | undefined {
  if (raw === undefined) return undefined;
  const member = "durationSeconds";
  if (!/^-?\d+$/.test(raw)) {
    out.push({ member, value: raw, constraint: "Member must be an integer" });
    return undefined;
  }
  const n = Number(raw);
  if (n < 900) out.push({ member, value: raw, constraint: "Member must have value greater than or equal to 900" });
  if (n > max) out.push({ member, value: raw, constraint: `Member must have value less than or equal to ${max}` });
  return n;
}

/** `Prefix.member.N` (and `Prefix.member.N.Field`) list members of the query protocol, in index order. */
function listMembers(params: Readonly<Record<string, string>>, prefix: string, field?: string): string[] {
  const out: [number, string][] = [];
  const re = new RegExp(`^${prefix}\\.member\\.(\\d+)${field === undefined ? "" : `\\.${field}`}$`);
  for (const [key, value] of Object.entries(params)) {
    const m = re.exec(key);
    if (m?.[1] !== undefined) out.push([Number(m[1]), value]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function readTags(params: Readonly<Record<string, string>>): { key: string; value: string }[] {
  const byIndex = new Map<number, { key: string; value: string }>();
  for (const [name, value] of Object.entries(params)) {
    const m = /^Tags\.member\.(\d+)\.(Key|Value)$/.exec(name);
    if (m?.[1] === undefined) continue;
    const tag = byIndex.get(Number(m[1])) ?? { key: "", value: "" };
    byIndex.set(Number(m[1]), m[2] === "Key" ? { ...tag, key: value } : { ...tag, value });
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, tag]) => tag);
}

function countLimit(member: string, count: number, max: number, out: Violation[]): void {
  if (count > max) {
    out.push({ member, value: `[${count} items]`, constraint: `Member must have length less than or equal to ${max}` });
  }
}

/** Read and validate AssumeRole's form parameters; throws a ValidationError listing every violation. */
export function parseAssumeRoleParams(params: Readonly<Record<string, string>>): AssumeRoleParams {
  const violations: Violation[] = [];
  for (const [name, rule] of Object.entries(RULES)) checkString(rule, params[name], violations);
  const durationSeconds = checkDuration(params["DurationSeconds"], violations);
  const policyArns = listMembers(params, "PolicyArns", "arn");
  const tags = readTags(params);
  const transitiveTagKeys = listMembers(params, "TransitiveTagKeys");
  countLimit("policyArns", policyArns.length, 10, violations);
  countLimit("tags", tags.length, 50, violations);
  countLimit("transitiveTagKeys", transitiveTagKeys.length, 50, violations);
  if (violations.length > 0) throw validationError(violations);
  return {
    roleArn: params["RoleArn"] ?? "",
    roleSessionName: params["RoleSessionName"] ?? "",
    durationSeconds,
    externalId: params["ExternalId"],
    serialNumber: params["SerialNumber"],
    tokenCode: params["TokenCode"],
    sourceIdentity: params["SourceIdentity"],
    policy: params["Policy"],
    policyArns,
    tags,
    transitiveTagKeys,
  };
}

export interface WebIdentityParams {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly webIdentityToken: string;
  readonly durationSeconds?: number | undefined;
  readonly policy?: string | undefined;
  readonly policyArns: readonly string[];
}

/**
 * AssumeRoleWithWebIdentity's form parameters (same rules as AssumeRole for the shared members;
 * WebIdentityToken 4–20000 characters). A violation never echoes the token: it is a bearer secret.
 */
export function parseWebIdentityParams(params: Readonly<Record<string, string>>): WebIdentityParams {
  const violations: Violation[] = [];
  for (const name of ["RoleArn", "RoleSessionName", "Policy"]) checkString(RULES[name]!, params[name], violations);
  const token = params["WebIdentityToken"];
  const tokenViolations: Violation[] = [];
  checkString({ member: "webIdentityToken", required: true, min: 4, max: 20000 }, token, tokenViolations);
  violations.push(...tokenViolations.map((v) => ({ ...v, value: v.value === undefined ? undefined : "***" })));
  const durationSeconds = checkDuration(params["DurationSeconds"], violations);
  const policyArns = listMembers(params, "PolicyArns", "arn");
  countLimit("policyArns", policyArns.length, 10, violations);
  if (violations.length > 0) throw validationError(violations);
  return {
    roleArn: params["RoleArn"] ?? "",
    roleSessionName: params["RoleSessionName"] ?? "",
    webIdentityToken: token ?? "",
    durationSeconds,
    policy: params["Policy"],
    policyArns,
  };
}

export interface SessionTokenParams {
  readonly durationSeconds?: number | undefined;
  readonly serialNumber?: string | undefined;
  readonly tokenCode?: string | undefined;
}

/** GetSessionToken's form parameters: DurationSeconds 900–129600 (IAM users), SerialNumber and TokenCode as for AssumeRole. */
export function parseSessionTokenParams(params: Readonly<Record<string, string>>): SessionTokenParams {
  const violations: Violation[] = [];
  const durationSeconds = checkDuration(params["DurationSeconds"], violations, 129600);
  for (const name of ["SerialNumber", "TokenCode"]) checkString(RULES[name]!, params[name], violations);
  if (violations.length > 0) throw validationError(violations);
  return { durationSeconds, serialNumber: params["SerialNumber"], tokenCode: params["TokenCode"] };
}
