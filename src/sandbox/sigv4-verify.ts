/**
 * SigV4 verification by recomputation: parse the Authorization header, rebuild the request from
 * exactly the headers listed in SignedHeaders and the exact body, sign it again with the SDK's
 * SignatureV4 and the secret the sandbox knows, and compare. No hand-written SigV4.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  /** YYYYMMDD from the credential scope */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-case header names, in the order given. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

/** Returns the parsed header, or a string explaining what is wrong with it. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return `Unsupported authorization type; only ${ALGORITHM} is accepted`;
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credential === undefined) return "Authorization header requires 'Credential' parameter.";
  if (signedHeaders === undefined) return "Authorization header requires 'SignedHeaders' parameter.";
  if (signature === undefined) return "Authorization header requires 'Signature' parameter.";
  const scope = credential.split("/");
  const [accessKeyId, scopeDate, region, service, terminator] = scope;
  if (scope.length !== 5 || !accessKeyId || !scopeDate || !region || !service || terminator !== "aws4_request") {
    return `Credential should be of the form <key>/<date>/<region>/<service>/aws4_request, got '${credential}'`;
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return "Signature must be 64 lower-case hex characters";
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: signedHeaders.split(";").map((h) => h.trim().toLowerCase()),
    signature,
  };
}

/** X-Amz-Date "YYYYMMDDTHHMMSSZ" → Date; undefined if malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

export interface IncomingSignedRequest {
  readonly method: string;
  /** Raw request target, e.g. "/" or "/?Action=…" */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface SigningSecret {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Recompute the signature the client should have produced and compare it with the one it sent. */
export async function verifySignature(
  req: IncomingSignedRequest,
  auth: ParsedAuthorization,
  secret: SigningSecret,
  signingDate: Date,
): Promise<boolean> {
  const signed = new Set(auth.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const claimedHash = headers["x-amz-content-sha256"];
  if (claimedHash !== undefined && claimedHash !== sha256Hex(req.body)) return false;
  const [rawPath = "/", rawQuery = ""] = splitOnce(req.url, "?");
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    applyChecksum: false,
    credentials: {
      accessKeyId: secret.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      // The signer adds X-Amz-Security-Token itself when given a token: only do so if the client signed it.
      sessionToken: signed.has("x-amz-security-token") ? secret.sessionToken : undefined,
    },
  });
  const request = new HttpRequest({
    method: req.method,
    path: safeDecode(rawPath),
    query: parseQuery(rawQuery),
    headers,
    body: req.body,
  });
  const result = await signer.sign(request, {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: signed,
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(result.headers["authorization"] ?? ""))?.[1];
  return expected !== undefined && constantTimeEqual(expected, auth.signature);
}

function sha256Hex(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

function splitOnce(value: string, sep: string): [string, string] {
  const i = value.indexOf(sep);
  return i < 0 ? [value, ""] : [value.slice(0, i), value.slice(i + 1)];
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const prev = query[key];
    query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
