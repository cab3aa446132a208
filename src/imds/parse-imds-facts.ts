import { NetworkError } from "../errors.js";
import { parseJsonObject } from "../json-object.js";

/** Account and partition of the instance, for completing bare role names. */
export interface ImdsAccount {
  readonly accountId: string;
  readonly partition: string;
}

const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+-\d{1,2}$/;
const INSTANCE_ID = /^[\w+=,.@-]{1,64}$/;
const INSTANCE_PROFILE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):instance-profile\/.+$/;

/**
 * Pure: the body of meta-data/placement/region. It becomes part of the STS endpoint's host name,
 * so anything that is not a region name is refused rather than sent anywhere.
 */
export function parseRegion(body: string): string {
  const region = body.trim();
  if (!REGION.test(region)) throw notProtocol("placement/region", region, "a region name like us-east-1");
  return region;
}

/** Pure: the body of meta-data/instance-id (it goes into session names, so only their characters pass). */
export function parseInstanceId(body: string): string {
  const id = body.trim();
  if (!INSTANCE_ID.test(id)) throw notProtocol("instance-id", id, "an instance ID like i-0123456789abcdef0");
  return id;
}

/**
 * Pure: meta-data/iam/info → the account and partition of the instance profile's ARN, or undefined when
 * IMDS says it has no profile information (Code other than Success, no ARN).
 */
export function parseIamInfo(body: string): ImdsAccount | undefined {
  const json = parseJsonObject(body);
  if (json === undefined) throw notProtocol("iam/info", body, "a JSON object");
  const { Code, InstanceProfileArn } = json;
  if (Code !== undefined && Code !== "Success") return undefined;
  if (typeof InstanceProfileArn !== "string") return undefined;
  const m = INSTANCE_PROFILE_ARN.exec(InstanceProfileArn);
  if (!m) throw notProtocol("iam/info", InstanceProfileArn, "an InstanceProfileArn like arn:aws:iam::123456789012:instance-profile/NAME");
  return { partition: m[1]!, accountId: m[2]! };
}

/** The instance profile iam/info names (its name is the ARN's last path segment: not necessarily its role's name). */
export interface InstanceProfileInfo extends ImdsAccount {
  readonly arn: string;
  readonly name: string;
  /** AIPA…; undefined when IMDS leaves it out. */
  readonly id: string | undefined;
}

/** Pure: meta-data/iam/info → the instance profile, or undefined when IMDS says it has none (as parseIamInfo). */
export function parseInstanceProfile(body: string): InstanceProfileInfo | undefined {
  const account = parseIamInfo(body);
  if (account === undefined) return undefined;
  const { InstanceProfileArn, InstanceProfileId } = parseJsonObject(body)!;
  const arn = InstanceProfileArn as string;
  const id = typeof InstanceProfileId === "string" && /^[\w]{1,128}$/.test(InstanceProfileId) ? InstanceProfileId : undefined;
  return { ...account, arn, name: arn.slice(arn.lastIndexOf("/") + 1), id };
}

function notProtocol(path: string, got: string, expected: string): NetworkError {
  const shown = got.length > 60 ? `${got.slice(0, 60)}…` : got;
  return new NetworkError(`IMDS answered ${path} with '${shown.replace(/[^\x20-\x7e\u2026]/g, "?")}': expected ${expected}`, {
    hint: "is AWS_EC2_METADATA_SERVICE_ENDPOINT an EC2 metadata service?",
  });
}
