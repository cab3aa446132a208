import { BadAnswerError, NoCredentialsError } from "../errors.js";
import type { Credentials } from "../types.js";
import { parseJsonObject } from "../json-object.js";

export interface IdentityDocument {
  readonly accountId: string;
  readonly instanceId: string;
  readonly region: string;
}

const CREDENTIALS_PATH = "iam/security-credentials/";
/** IAM role names: what EC2 lists under iam/security-credentials/. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Pure: the body of iam/security-credentials/ROLE → credentials, or an error that says why IMDS gave none.
 * An answer that is not what IMDS promises (not JSON, a Code other than Success, fields missing) is a
 * BadAnswerError (exit 6); only AssumeRoleUnauthorizedAccess, the documented "the role does not trust EC2",
 * is the instance's configuration (exit 3).
 */
export function parseImdsCredentials(body: string, roleName: string): Credentials & { lastUpdated?: Date | undefined } {
  const what = CREDENTIALS_PATH + roleName;
  const json = parseJson(body, what);
  if (json.Code === "AssumeRoleUnauthorizedAccess") {
    throw new NoCredentialsError(`IMDS has no credentials for role ${roleName}: AssumeRoleUnauthorizedAccess: ${String(json.Message ?? "")}`, {
      hint: `the trust policy of role ${roleName} must allow the service ec2.amazonaws.com`,
    });
  }
  if (json.Code !== undefined && json.Code !== "Success") {
    throw new BadAnswerError(`IMDS answered ${what} with Code ${JSON.stringify(json.Code)}, not Success: ${String(json.Message ?? "no message")}`, {
      hint: "IMDS could not hand out the instance role's credentials; retry in a minute, or check the instance profile",
    });
  }
  const { AccessKeyId, SecretAccessKey, Token, Expiration, LastUpdated } = json;
  if (![AccessKeyId, SecretAccessKey, Token, Expiration].every((v) => typeof v === "string" && v !== "")) {
    throw new BadAnswerError(`IMDS answered ${what} without AccessKeyId, SecretAccessKey, Token and Expiration`, { hint: NOT_IMDS_HINT });
  }
  return {
    accessKeyId: AccessKeyId as string,
    secretAccessKey: SecretAccessKey as string,
    sessionToken: Token as string,
    expiration: parseDate(Expiration as string, "Expiration", what),
    lastUpdated: typeof LastUpdated === "string" ? parseDate(LastUpdated, "LastUpdated", what) : undefined,
  };
}

export function parseIdentityDocument(body: string): IdentityDocument {
  const what = "instance-identity/document";
  const json = parseJson(body, what);
  const { accountId, instanceId, region } = json;
  if (![accountId, instanceId, region].every((v) => typeof v === "string" && v !== "")) {
    throw new BadAnswerError(`IMDS answered ${what} without accountId, instanceId and region`, { hint: NOT_IMDS_HINT });
  }
  return { accountId: accountId as string, instanceId: instanceId as string, region: region as string };
}

/** The listing under iam/security-credentials/ holds the role name (one per line; an instance profile has one). */
export function parseRoleListing(body: string): string | undefined {
  const name = body.split("\n").map((l) => l.trim()).find((l) => l !== "");
  if (name !== undefined && !ROLE_NAME.test(name)) {
    const looks = /^</.test(name) ? "an HTML/XML page" : "something that is not a role name";
    throw new BadAnswerError(`IMDS answered ${CREDENTIALS_PATH} with ${looks}`, { hint: NOT_IMDS_HINT });
  }
  return name;
}

const NOT_IMDS_HINT =
  "that is not what EC2's metadata service answers: is AWS_EC2_METADATA_SERVICE_ENDPOINT a metadata service, or is a proxy answering instead?";

function parseJson(body: string, what: string): Record<string, unknown> {
  const json = parseJsonObject(body);
  if (json !== undefined) return json;
  // Never quote the body: a garbled credentials document may still hold a secret.
  const looks = /^\s*</.test(body) ? "an HTML/XML page" : body.trim() === "" ? "an empty body" : "something that is not a JSON object";
  throw new BadAnswerError(`IMDS answered ${what} with ${looks}`, { hint: NOT_IMDS_HINT });
}

function parseDate(text: string, field: string, what: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new BadAnswerError(`IMDS answered ${what} with an invalid ${field} '${text}'`, { hint: NOT_IMDS_HINT });
  return d;
}
