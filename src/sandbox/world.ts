/**
 * The sandbox "world": accounts with their roles and IAM users, the EC2 instance the IMDS
 * emulator pretends to be, and the OIDC providers web identities come from (world-oidc.ts).
 * parseWorld validates a world file (JSON) and returns it normalized, with ARNs and unique IDs
 * filled in. Errors are one line: `<origin>: <path>: <rule>`.
 */
import type { Policy } from "./policy-document.js";
import { ShapeError, childPath, expectObject, expectString, fail, optionalInteger, optionalString, rejectUnknownKeys } from "./shape.js";
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
  /**
   * The role whose credentials IMDS serves under roleName's path; undefined: roleName's. Another role
   * reproduces a role swap that IMDS has not caught up with yet (seed 004: up to about an hour).
   */
  readonly servedRoleName?: string | undefined;
  /** How long before the sandbox started the first served credentials were issued (their LastUpdated); default 0. */
  readonly credentialsAgeSeconds: number;
}

/**
 * The oldest first credentials a world may declare: EC2 hands out 6-hour sessions and replaces them 5 minutes
 * before they expire, so served credentials are never older than this.
 */
export const MAX_CREDENTIALS_AGE_SECONDS = 6 * 3600 - 5 * 60 - 1;

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
  "servedRole",
  "credentialsAgeSeconds",
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
  const servedRoleName = optionalString(obj, "servedRole", path, NAME);
  if (servedRoleName !== undefined) {
    const rule = servedRoleRule(account, roleName, servedRoleName);
    if (rule !== undefined) fail(path, `servedRole ${rule}`);
  }
  const credentialsAgeSeconds = optionalInteger(obj, "credentialsAgeSeconds", path, 0, MAX_CREDENTIALS_AGE_SECONDS) ?? 0;
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
    ...instanceProfile(partition, accountId, instanceProfileName),
    servedRoleName,
    credentialsAgeSeconds,
  };
}

/** Why `served` cannot be the role an instance's IMDS serves, or undefined when it can. */
function servedRoleRule(account: Account, roleName: string | undefined, served: string): string | undefined {
  if (roleName === undefined) return "needs an instance whose profile holds a role (role)";
  if (account.roles[served] === undefined) return `${served} is not a role of account ${account.id}`;
  return undefined;
}

function instanceProfile(partition: string, accountId: string, name: string | undefined): Pick<Instance, "instanceProfileName" | "instanceProfileArn" | "instanceProfileId"> {
  const arn = name === undefined ? undefined : `arn:${partition}:iam::${accountId}:instance-profile/${name}`;
  return { instanceProfileName: name, instanceProfileArn: arn, instanceProfileId: arn === undefined ? undefined : stableUniqueId("AIPA", arn) };
}

/** A change to the instance, as `assume-role sandbox` flags make it (each key as the world file's instance key). */
export interface InstancePatch {
  readonly servedRole?: string | undefined;
  readonly instanceProfile?: string | undefined;
  readonly credentialsAgeSeconds?: number | undefined;
}

/**
 * The world with its instance changed as `patch` says, checked by the world file's rules. A patch that breaks
 * one throws a WorldError whose message is the rule alone (the caller names the input).
 */
export function patchInstance(world: World, patch: InstancePatch): World {
  const i = world.instance;
  const account = world.accounts[i.accountId]!;
  let instance: Instance = i;
  if (patch.servedRole !== undefined) {
    const rule = NAME.pattern.test(patch.servedRole) ? servedRoleRule(account, i.roleName, patch.servedRole) : `must match ${NAME.patternText}`;
    if (rule !== undefined) throw new WorldError(rule);
    instance = { ...instance, servedRoleName: patch.servedRole };
  }
  if (patch.instanceProfile !== undefined) {
    if (!NAME.pattern.test(patch.instanceProfile)) throw new WorldError(`must match ${NAME.patternText}`);
    instance = { ...instance, ...instanceProfile(world.partition, i.accountId, patch.instanceProfile) };
  }
  if (patch.credentialsAgeSeconds !== undefined) {
    const age = patch.credentialsAgeSeconds;
    if (!Number.isInteger(age) || age < 0 || age > MAX_CREDENTIALS_AGE_SECONDS) {
      throw new WorldError(`must be at most 5h54m59s (${MAX_CREDENTIALS_AGE_SECONDS} s): EC2 replaces served credentials 5 minutes before their 6 hours end`);
    }
    instance = { ...instance, credentialsAgeSeconds: age };
  }
  return { ...world, instance };
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

/** The role whose credentials IMDS serves: the profile's, unless a role swap has not reached IMDS yet (servedRole). */
export function servedRole(world: World): Role | undefined {
  const { roleName, servedRoleName, accountId } = world.instance;
  const name = servedRoleName ?? roleName;
  return name === undefined ? undefined : world.accounts[accountId]?.roles[name];
}
