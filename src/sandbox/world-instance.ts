/**
 * The EC2 instance of the sandbox world: its world-file keys, their rules, and the changes `assume-role sandbox`
 * flags make to it (a role swap IMDS has not caught up with, an instance profile named apart from its role, old
 * credentials: seed 004's states).
 */
import { expectObject, expectString, fail, optionalInteger, optionalString, rejectUnknownKeys } from "./shape.js";
import { IAM_NAME_RULE as NAME } from "./world-iam.js";
import { stableUniqueId } from "./ids.js";
import { WorldError } from "./world-error.js";
import type { Account, Role, World } from "./world.js";

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

export function parseInstance(json: unknown, partition: string, accounts: Record<string, Account>): Instance {
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
