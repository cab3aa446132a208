/** Parsing of one account of a world file: its roles and IAM users (see world.ts for the types). */
import type { Account, MfaDevice, Role, User } from "./world.js";
import { parsePolicy, type Policy } from "./policy-document.js";
import {
  childPath,
  expectObject,
  expectString,
  fail,
  optionalInteger,
  optionalString,
  rejectUnknownKeys,
  type JsonObject,
} from "./shape.js";
import { stableUniqueId } from "./ids.js";

export const IAM_NAME_RULE = { pattern: /^[\w+=,.@-]{1,64}$/, patternText: "[\\w+=,.@-]{1,64}" };
const IAM_PATH_RULE = { pattern: /^\/([\w+=,.@-]+\/)*$/, patternText: '"/" or "/a/b/"' };
const EMPTY_POLICY: Policy = { statements: [] };

export function parseAccount(json: unknown, path: string, accountId: string, partition: string): Account {
  const obj = expectObject(json, path, "account");
  rejectUnknownKeys(obj, ["$comment", "roles", "users"], path);
  const roles: Record<string, Role> = {};
  for (const [name, value] of entries(obj, "roles", path)) {
    roles[name] = parseRole(value, childPath(childPath(path, "roles"), name), name, accountId, partition);
  }
  const users: Record<string, User> = {};
  for (const [name, value] of entries(obj, "users", path)) {
    users[name] = parseUser(value, childPath(childPath(path, "users"), name), name, accountId, partition);
  }
  return { id: accountId, roles, users };
}

function entries(obj: JsonObject, key: string, path: string): [string, unknown][] {
  if (obj[key] === undefined) return [];
  return Object.entries(expectObject(obj[key], path, key));
}

function checkName(name: string, path: string, what: string): void {
  if (!IAM_NAME_RULE.pattern.test(name)) fail(path, `${what} name must match ${IAM_NAME_RULE.patternText}`);
}

const ROLE_KEYS = ["$comment", "path", "roleId", "trustPolicy", "permissionPolicy", "maxSessionDuration"];

function parseRole(json: unknown, path: string, name: string, accountId: string, partition: string): Role {
  checkName(name, path, "role");
  const obj = expectObject(json, path, "role");
  rejectUnknownKeys(obj, ROLE_KEYS, path);
  const rolePath = optionalString(obj, "path", path, IAM_PATH_RULE) ?? "/";
  const arn = `arn:${partition}:iam::${accountId}:role${rolePath}${name}`;
  if (obj["trustPolicy"] === undefined) fail(path, "trustPolicy is required");
  return {
    accountId,
    name,
    path: rolePath,
    arn,
    roleId:
      optionalString(obj, "roleId", path, { pattern: /^AROA[A-Z0-9]{17}$/, patternText: "AROA + 17 [A-Z0-9]" }) ??
      stableUniqueId("AROA", arn),
    trustPolicy: parsePolicy(obj["trustPolicy"], childPath(path, "trustPolicy"), "trust"),
    trustPolicyDocument: JSON.stringify(obj["trustPolicy"]),
    permissionPolicy: optionalPolicy(obj, path),
    maxSessionDuration: optionalInteger(obj, "maxSessionDuration", path, 3600, 43200) ?? 3600,
  };
}

function optionalPolicy(obj: JsonObject, path: string): Policy {
  const json = obj["permissionPolicy"];
  return json === undefined ? EMPTY_POLICY : parsePolicy(json, childPath(path, "permissionPolicy"), "identity");
}

const USER_KEYS = ["$comment", "path", "userId", "accessKeyId", "secretAccessKey", "permissionPolicy", "mfa"];

function parseUser(json: unknown, path: string, name: string, accountId: string, partition: string): User {
  checkName(name, path, "user");
  const obj = expectObject(json, path, "user");
  rejectUnknownKeys(obj, USER_KEYS, path);
  const userPath = optionalString(obj, "path", path, IAM_PATH_RULE) ?? "/";
  const arn = `arn:${partition}:iam::${accountId}:user${userPath}${name}`;
  return {
    accountId,
    name,
    path: userPath,
    arn,
    userId:
      optionalString(obj, "userId", path, { pattern: /^AIDA[A-Z0-9]{17}$/, patternText: "AIDA + 17 [A-Z0-9]" }) ??
      stableUniqueId("AIDA", arn),
    accessKeyId: expectString(obj, "accessKeyId", path, {
      pattern: /^AKIA[A-Z0-9]{12,124}$/,
      patternText: "AKIA + 12..124 [A-Z0-9]",
    }),
    secretAccessKey: expectString(obj, "secretAccessKey", path, { min: 16, max: 128 }),
    permissionPolicy: optionalPolicy(obj, path),
    mfa: obj["mfa"] === undefined ? undefined : parseMfa(obj["mfa"], childPath(path, "mfa")),
  };
}

function parseMfa(json: unknown, path: string): MfaDevice {
  const obj = expectObject(json, path, "mfa");
  rejectUnknownKeys(obj, ["serialNumber", "code"], path);
  return {
    serialNumber: expectString(obj, "serialNumber", path, {
      pattern: /^[\w+=/:,.@-]{9,256}$/,
      patternText: "[\\w+=/:,.@-]{9,256}",
    }),
    code: expectString(obj, "code", path, { pattern: /^\d{6}$/, patternText: "six digits" }),
  };
}
