/**
 * The sandbox "world": accounts with their roles and IAM users, the EC2 instance the IMDS
 * emulator pretends to be, and the OIDC providers web identities come from (world-oidc.ts).
 * parseWorld validates a world file (JSON) and returns it normalized, with ARNs and unique IDs
 * filled in. Errors are one line: `<origin>: <path>: <rule>`.
 */
import type { Policy } from "./policy-document.js";
import { ShapeError, childPath, expectObject, fail, optionalString, rejectUnknownKeys } from "./shape.js";
import { parseAccount } from "./world-iam.js";
import { WorldError } from "./world-error.js";
import { parseInstance, type Instance } from "./world-instance.js";
import { parseOidcProviders, type OidcProvider } from "./world-oidc.js";

export { WorldError } from "./world-error.js";
export { instanceRole, MAX_CREDENTIALS_AGE_SECONDS, patchInstance, servedRole, type Instance, type InstancePatch } from "./world-instance.js";

export interface Role {
  readonly accountId: string;
  readonly name: string;
  /** "/" or "/a/b/" */
  readonly path: string;
  /** arn:PARTITION:iam::ACCOUNT:role/PATH/NAME */
  readonly arn: string;
  /** AROA… */
  readonly roleId: string;
  readonly trustPolicy: Policy;
  /** The trust policy as the world file wrote it (JSON text): what IAM GetRole hands back. */
  readonly trustPolicyDocument: string;
  readonly permissionPolicy: Policy;
  /** Seconds, 3600..43200. */
  readonly maxSessionDuration: number;
}

export interface MfaDevice {
  readonly serialNumber: string;
  /** The one code the sandbox accepts for this device. */
  readonly code: string;
}

export interface User {
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  /** arn:PARTITION:iam::ACCOUNT:user/PATH/NAME */
  readonly arn: string;
  /** AIDA… */
  readonly userId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly permissionPolicy: Policy;
  readonly mfa?: MfaDevice | undefined;
}

export interface Account {
  readonly id: string;
  readonly roles: Readonly<Record<string, Role>>;
  readonly users: Readonly<Record<string, User>>;
}

export interface World {
  /** "aws" unless the file says otherwise ("aws-cn", "aws-us-gov", ...). */
  readonly partition: string;
  readonly accounts: Readonly<Record<string, Account>>;
  readonly instance: Instance;
  /** OIDC identity providers by name (world-oidc.ts); empty when the file declares none. */
  readonly oidcProviders: Readonly<Record<string, OidcProvider>>;
}

/** Validate and normalize a world (already JSON-parsed). `origin` prefixes every error, e.g. the file name. */
export function parseWorld(json: unknown, origin: string): World {
  try {
    return parseWorldShape(json);
  } catch (err) {
    if (err instanceof ShapeError) throw new WorldError(`${origin}: ${err.message}`);
    throw err;
  }
}

function parseWorldShape(json: unknown): World {
  const root = expectObject(json, "", "the world");
  rejectUnknownKeys(root, ["$comment", "partition", "accounts", "instance", "oidcProviders"], "");
  const partition =
    optionalString(root, "partition", "", { pattern: /^aws(-[a-z]+)*$/, patternText: "aws[-suffix]" }) ?? "aws";
  if (root["accounts"] === undefined) fail("", "accounts is required");
  const accountsJson = expectObject(root["accounts"], "", "accounts");
  const accounts: Record<string, Account> = {};
  for (const [id, value] of Object.entries(accountsJson)) {
    const path = childPath("accounts", id);
    if (!/^\d{12}$/.test(id)) fail(path, "account id must be 12 digits");
    accounts[id] = parseAccount(value, path, id, partition);
  }
  if (Object.keys(accounts).length === 0) fail("", "accounts must hold at least one account");
  checkUniqueCredentials(accounts);
  const instance = parseInstance(root["instance"], partition, accounts);
  const oidcProviders = parseOidcProviders(root["oidcProviders"], Object.keys(accounts));
  return { partition, accounts, instance, oidcProviders };
}

function checkUniqueCredentials(accounts: Record<string, Account>): void {
  const keys = new Set<string>();
  const serials = new Set<string>();
  for (const account of Object.values(accounts)) {
    for (const user of Object.values(account.users)) {
      const path = `accounts.${account.id}.users.${user.name}`;
      if (keys.has(user.accessKeyId)) fail(path, `accessKeyId ${user.accessKeyId} is used by another user`);
      keys.add(user.accessKeyId);
      if (user.mfa === undefined) continue;
      if (serials.has(user.mfa.serialNumber)) fail(path, `mfa.serialNumber is used by another user`);
      serials.add(user.mfa.serialNumber);
    }
  }
}

/** The role an ARN names, if the world has it (the path in the ARN must match the role's path). */
export function findRoleByArn(world: World, arn: string): Role | undefined {
  const m = /^arn:([\w-]+):iam::(\d{12}):role(\/.*)?\/([^/]+)$/.exec(arn);
  if (!m || m[1] !== world.partition || m[2] === undefined || m[4] === undefined) return undefined;
  const role = world.accounts[m[2]]?.roles[m[4]];
  return role !== undefined && role.arn === arn ? role : undefined;
}

export function findUserByAccessKey(world: World, accessKeyId: string): User | undefined {
  for (const account of Object.values(world.accounts)) {
    for (const user of Object.values(account.users)) if (user.accessKeyId === accessKeyId) return user;
  }
  return undefined;
}

export function findUserByName(world: World, name: string): User | undefined {
  for (const account of Object.values(world.accounts)) {
    const user = account.users[name];
    if (user !== undefined) return user;
  }
  return undefined;
}

export function findMfaDevice(world: World, serialNumber: string): { user: User; device: MfaDevice } | undefined {
  for (const account of Object.values(world.accounts)) {
    for (const user of Object.values(account.users)) {
      if (user.mfa?.serialNumber === serialNumber) return { user, device: user.mfa };
    }
  }
  return undefined;
}
