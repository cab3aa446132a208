/**
 * OIDC ID tokens (JWTs: base64url(header).base64url(payload).base64url(signature)) as the sandbox
 * reads them. Signatures are HS256 with the provider's shared secret (see world-oidc.ts for why).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** `header.payload`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Split and decode without verifying; undefined when the text is not a JWT with JSON header and payload. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(h);
  const claims = jsonObject(p);
  if (header === undefined || claims === undefined) return undefined;
  return { header, claims, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** HS256 over the signing input with `secret`, compared in constant time. */
export function verifyHs256(jwt: DecodedJwt, secret: string): boolean {
  if (jwt.header["alg"] !== "HS256") return false;
  const expected = createHmac("sha256", secret).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/** The `aud` claim as a list (a JWT may carry one audience as a string or several as an array). */
export function audiences(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims["aud"];
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}

/** A NumericDate claim (seconds since the epoch), if present and a number. */
export function numericDate(claims: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = claims[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
