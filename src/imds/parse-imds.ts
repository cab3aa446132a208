import { NoCredentialsError } from "../errors.js";
import type { Credentials } from "../types.js";

export interface IdentityDocument {
  readonly accountId: string;
  readonly instanceId: string;
  readonly region: string;
}

/** Pure: the body of iam/security-credentials/ROLE → credentials, or an error that says why IMDS gave none. */
export function parseImdsCredentials(body: string, roleName: string): Credentials & { lastUpdated?: Date | undefined } {
  const json = parseJson(body, `iam/security-credentials/${roleName}`);
  if (json.Code !== undefined && json.Code !== "Success") {
    const hint =
      json.Code === "AssumeRoleUnauthorizedAccess"
        ? `the trust policy of role ${roleName} must allow the service ec2.amazonaws.com`
        : undefined;
    throw new NoCredentialsError(`IMDS has no credentials for role ${roleName}: ${String(json.Code)}: ${String(json.Message ?? "")}`, {
      hint,
    });
  }
  const { AccessKeyId, SecretAccessKey, Token, Expiration, LastUpdated } = json;
  if (![AccessKeyId, SecretAccessKey, Token, Expiration].every((v) => typeof v === "string" && v !== "")) {
    throw new NoCredentialsError(`IMDS returned incomplete credentials for role ${roleName}`);
  }
  return {
    accessKeyId: AccessKeyId as string,
    secretAccessKey: SecretAccessKey as string,
    sessionToken: Token as string,
    expiration: parseDate(Expiration as string, "Expiration"),
    lastUpdated: typeof LastUpdated === "string" ? parseDate(LastUpdated, "LastUpdated") : undefined,
  };
}

export function parseIdentityDocument(body: string): IdentityDocument {
  const json = parseJson(body, "instance-identity/document");
  const { accountId, instanceId, region } = json;
  if (![accountId, instanceId, region].every((v) => typeof v === "string" && v !== "")) {
    throw new NoCredentialsError("IMDS instance identity document lacks accountId, instanceId or region");
  }
  return { accountId: accountId as string, instanceId: instanceId as string, region: region as string };
}

/** The listing under iam/security-credentials/ holds the role name (one per line; an instance profile has one). */
export function parseRoleListing(body: string): string | undefined {
  return body.split("\n").map((l) => l.trim()).find((l) => l !== "");
}

function parseJson(body: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new NoCredentialsError(`IMDS returned something that is not a JSON object for ${what}`);
}

function parseDate(text: string, field: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new NoCredentialsError(`IMDS returned an invalid ${field} '${text}'`);
  return d;
}
