import { UsageError } from "../errors.js";
import type { RoleRef } from "../types.js";

export interface RoleArnParts {
  readonly partition: string;
  readonly accountId: string;
  /** Path and name after `role/`, e.g. `team/Deploy`. */
  readonly pathAndName: string;
  readonly name: string;
}

const PARTITION = "aws(?:-[a-z]+)*";
const ROLE_ARN = new RegExp(`^arn:(${PARTITION}):iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64}))$`);
const BARE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const IDENTITY_ARN = new RegExp(`^arn:(${PARTITION}):(?:sts|iam)::(\\d{12}):(.+)$`);

export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, accountId: m[2]!, pathAndName: m[3]!, name: m[4]! };
}

/** A ROLE argument: `arn:...:role/NAME` or a bare `NAME` / `path/NAME`. */
export function parseRoleRef(input: string): RoleRef {
  if (input.startsWith("arn:")) {
    if (!parseRoleArn(input)) {
      throw new UsageError(`ROLE '${input}' is not a role ARN: expected arn:PARTITION:iam::ACCOUNT(12 digits):role/NAME`);
    }
    return { kind: "arn", arn: input };
  }
  if (!BARE_NAME.test(input)) {
    throw new UsageError(
      `ROLE '${input}' is neither a role ARN nor a role name: names are 1-64 characters of letters, digits and +=,.@_-`,
    );
  }
  return { kind: "name", name: input };
}

export function roleArn(partition: string, accountId: string, pathAndName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${pathAndName}`;
}

export interface IdentityParts {
  readonly partition: string;
  readonly accountId: string;
  /** For an assumed-role session, the ARN a trust policy names: arn:P:iam::A:role/NAME. */
  readonly principalArn: string;
}

/** `arn:aws:sts::A:assumed-role/NAME/SESSION` or `arn:aws:iam::A:user/NAME` → parts. */
export function parseIdentityArn(arn: string): IdentityParts | undefined {
  const m = IDENTITY_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, accountId, resource] = m as unknown as [string, string, string, string];
  const session = /^assumed-role\/([^/]+)\/[^/]+$/.exec(resource);
  const principalArn = session ? roleArn(partition, accountId, session[1]!) : arn;
  return { partition, accountId, principalArn };
}

const PARTITION_PREFIXES: ReadonlyArray<[prefix: string, partition: string, defaultRegion: string]> = [
  ["cn-", "aws-cn", "cn-north-1"],
  ["us-gov-", "aws-us-gov", "us-gov-west-1"],
  ["us-isob-", "aws-iso-b", "us-isob-east-1"],
  ["us-isof-", "aws-iso-f", "us-isof-south-1"],
  ["eu-isoe-", "aws-iso-e", "eu-isoe-west-1"],
  ["us-iso-", "aws-iso", "us-iso-east-1"],
  ["eusc-", "aws-eusc", "eusc-de-east-1"],
];

export function partitionOfRegion(region: string): string {
  return PARTITION_PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}

/** Region to call STS in when none is configured: one in the role's partition. */
export function defaultRegionOfPartition(partition: string): string {
  return PARTITION_PREFIXES.find(([, p]) => p === partition)?.[2] ?? "us-east-1";
}
