/** Identifiers the sandbox hands out: random keys, secrets and tokens, and stable IAM unique IDs. */
import { createHash, randomBytes, randomUUID } from "node:crypto";

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function alnum(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += UPPER_ALNUM[(bytes[i] ?? 0) % UPPER_ALNUM.length];
  return out;
}

/** Temporary access key ID: ASIA + 16 uppercase letters/digits. */
export function newSessionAccessKeyId(): string {
  return "ASIA" + alnum(randomBytes(16), 16);
}

/** 40 characters of base64 (with `+` and `/` as real secrets have). */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}

/**
 * A long session token. It always contains `+`, `/` and ends in `==`, so that a caller which
 * forgets to quote or URL-encode it breaks visibly.
 */
export function newSessionToken(): string {
  return "IQoJb3JpZ2luX2Vj" + randomBytes(300).toString("base64") + "+/" + randomBytes(1).toString("base64");
}

/** IMDSv2 session token. */
export function newImdsToken(): string {
  return randomBytes(42).toString("base64");
}

/** Console sign-in token (the real ones are long opaque base64url strings). */
export function newSigninToken(): string {
  return randomBytes(96).toString("base64url");
}

export function newRequestId(): string {
  return randomUUID();
}

/**
 * IAM unique IDs (AROA… for roles, AIDA… for users, AIPA… for instance profiles): 4-letter prefix
 * + 17 uppercase letters/digits, derived from the ARN so a world always yields the same IDs.
 */
export function stableUniqueId(prefix: "AROA" | "AIDA" | "AIPA", arn: string): string {
  return prefix + alnum(createHash("sha256").update(arn).digest(), 17);
}
