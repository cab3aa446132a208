/**
 * The sandbox "world": accounts with their roles and IAM users, the EC2 instance the IMDS
 * emulator pretends to be, and the OIDC providers web identities come from (world-oidc.ts).
 * parseWorld validates a world file (JSON) and returns it normalized, with ARNs and unique IDs
 * filled in. Errors are one line: `<origin>: <path>: <rule>`.
 */
import type { Policy } from "./policy-document.js";
import { ShapeError, childPath, expectObject, expectString, fail, optionalString, rejectUnknownKeys } from "./shape.js";
import { IAM_NAME_RULE as NAME, parseAccount } from "./world-iam.js";
import { stableUniqueId } from "./ids.js";
import { parseOidcProviders, type OidcProvider } from "./world-oidc.js";

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

export interface Instance {
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly imageId: string;
  readonly privateIp: string;
  readonly architecture: string;
  /** Role in the instance profile; undefined: no role (credential paths answer 404). */
  readonly roleName?: string | undefined;
  /** Instance profile attached to the instance; undefined: none (iam/info answers 404). */
  readonly instanceProfileName?: string | undefined;
  /** arn:PARTITION:iam::ACCOUNT:instance-profile/NAME */
  readonly instanceProfileArn?: string | undefined;
  /** AIPA… */
  readonly instanceProfileId?: string | undefined;
}

export interface World {
  /** "aws" unless the file says otherwise ("aws-cn", "aws-us-gov", ...). */
  readonly partition: string;
  readonly accounts: Readonly<Record<string, Account>>;
  readonly instance: Instance;
  /** OIDC identity providers by name (world-oidc.ts); empty when the file declares none. */
  readonly oidcProviders: Readonly<Record<string, OidcProvider>>;
}

/** A world file that does not validate. The message is one line naming the origin, the path and the rule. */
export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorldError";
  }
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

const INSTANCE_KEYS = [
  "instanceId",
  "accountId",
  "region",
  "availabilityZone",
  "instanceType",
  "imageId",
  "privateIp",
  "architecture",
  "role",
  "instanceProfile",
];

const INSTANCE_ID_RULE = { pattern: /^i-[0-9a-f]{8,17}$/, patternText: "i-<8..17 hex>" };
const REGION_RULE = { pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/, patternText: "a region name" };
const IMAGE_ID_RULE = { pattern: /^ami-[0-9a-f]+$/, patternText: "ami-<hex>" };

function parseInstance(json: unknown, partition: string, accounts: Record<string, Account>): Instance {
  const path = "instance";
  if (json === undefined) fail("", "instance is required");
  const obj = expectObject(json, "", "instance");
  rejectUnknownKeys(obj, INSTANCE_KEYS, path);
  const instanceId = expectString(obj, "instanceId", path, INSTANCE_ID_RULE);
  const accountId = expectString(obj, "accountId", path);
  const account = accounts[accountId];
  if (account === undefined) fail(path, `accountId ${accountId} is not one of the accounts`);
  const region = expectString(obj, "region", path, REGION_RULE);
  const availabilityZone = optionalString(obj, "availabilityZone", path) ?? `${region}a`;
  if (!availabilityZone.startsWith(region)) fail(path, `availabilityZone must start with the region ${region}`);
  const roleName = optionalString(obj, "role", path, NAME);
  if (roleName !== undefined && account.roles[roleName] === undefined) {
    fail(path, `role ${roleName} is not a role of account ${accountId}`);
  }
  const instanceProfileName = optionalString(obj, "instanceProfile", path, NAME) ?? roleName;
  const instanceProfileArn =
    instanceProfileName === undefined
      ? undefined
      : `arn:${partition}:iam::${accountId}:instance-profile/${instanceProfileName}`;
  return {
    instanceId,
    accountId,
    region,
    availabilityZone,
    instanceType: optionalString(obj, "instanceType", path) ?? "t3.micro",
    imageId: optionalString(obj, "imageId", path, IMAGE_ID_RULE) ?? "ami-0abcdef1234567890",
    privateIp: optionalString(obj, "privateIp", path) ?? "10.0.0.10",
    architecture: optionalString(obj, "architecture", path) ?? "x86_64",
    roleName,
    instanceProfileName,
    instanceProfileArn,
    instanceProfileId: instanceProfileArn === undefined ? undefined : stableUniqueId("AIPA", instanceProfileArn),
  };
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

/** The role the instance profile holds, if any. */
export function instanceRole(world: World): Role | undefined {
  const { roleName, accountId } = world.instance;
  return roleName === undefined ? undefined : world.accounts[accountId]?.roles[roleName];
}
