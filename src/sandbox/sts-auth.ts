/**
 * Who signed an STS request, checked in this order: header present and well-formed → key known
 * (IAM user or issued session) → session token matches → session not expired → X-Amz-Date within
 * 15 minutes of the sandbox clock → signature recomputes.
 */
import type { Caller } from "./caller.js";
import { isExpired, type IssuedCredentials } from "./issued-credentials.js";
import { findUserByAccessKey, type World } from "./world.js";
import { StsError, stsErrors } from "./sts-errors.js";
import {
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  verifySignature,
  type IncomingSignedRequest,
  type SigningSecret,
} from "./sigv4-verify.js";

export interface AuthContext {
  readonly world: World;
  readonly issued: IssuedCredentials;
  readonly now: Date;
}

export type AuthResult =
  | { readonly ok: true; readonly caller: Caller; readonly accessKeyId: string }
  | { readonly ok: false; readonly error: StsError; readonly accessKeyId?: string | undefined };

const MAX_SKEW_MS = 15 * 60 * 1000;
const MISSING_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

/** `service`: the signing scope the endpoint expects (STS and the IAM Query API share the sandbox's STS port). */
export async function authenticate(ctx: AuthContext, req: IncomingSignedRequest, service: "sts" | "iam" = "sts"): Promise<AuthResult> {
  const header = req.headers["authorization"];
  if (header === undefined || header.trim() === "") return { ok: false, error: stsErrors.missingAuthenticationToken() };
  const auth = parseAuthorization(header);
  if (typeof auth === "string") return { ok: false, error: stsErrors.incompleteSignature(auth) };
  const fail = (error: StsError): AuthResult => ({ ok: false, error, accessKeyId: auth.accessKeyId });

  const found = lookupKey(ctx, auth.accessKeyId);
  if (found === undefined) return fail(stsErrors.invalidClientTokenId());
  const token = req.headers["x-amz-security-token"];
  if (found.caller.kind === "session" ? token !== found.secret.sessionToken : token !== undefined) {
    return fail(stsErrors.invalidClientTokenId());
  }
  if (found.caller.kind === "session" && isExpired(found.caller.session, ctx.now)) {
    return fail(stsErrors.expiredToken());
  }

  if (auth.service !== service) {
    return fail(stsErrors.signatureDoesNotMatch(`Credential should be scoped to correct service: '${service}'.`));
  }
  const amzDate = req.headers["x-amz-date"];
  if (amzDate === undefined) {
    return fail(stsErrors.incompleteSignature(MISSING_DATE));
  }
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined) return fail(stsErrors.incompleteSignature(`Invalid X-Amz-Date '${amzDate}'`));
  const skew = skewMessage(signingDate, ctx.now);
  if (skew !== undefined) return fail(stsErrors.signatureDoesNotMatch(skew));
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    const day = amzDate.slice(0, 8);
    return fail(stsErrors.signatureDoesNotMatch(`Credential should be scoped to a valid date: '${day}'.`));
  }
  if (!(await verifySignature(req, auth, found.secret, signingDate))) return fail(stsErrors.signatureDoesNotMatch());
  return { ok: true, caller: found.caller, accessKeyId: auth.accessKeyId };
}

function lookupKey(ctx: AuthContext, accessKeyId: string): { caller: Caller; secret: SigningSecret } | undefined {
  const session = ctx.issued.get(accessKeyId);
  if (session !== undefined) return { caller: { kind: "session", session }, secret: session };
  const user = findUserByAccessKey(ctx.world, accessKeyId);
  if (user !== undefined) return { caller: { kind: "user", user }, secret: user };
  return undefined;
}

/** AWS's wording when X-Amz-Date is more than 15 minutes away from the server clock. */
function skewMessage(signed: Date, now: Date): string | undefined {
  const s = formatAmzDate(signed);
  if (signed.getTime() < now.getTime() - MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS));
    return `Signature expired: ${s} is now earlier than ${limit} (${formatAmzDate(now)} - 15 min.)`;
  }
  if (signed.getTime() > now.getTime() + MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() + MAX_SKEW_MS));
    return `Signature not yet current: ${s} is still later than ${limit} (${formatAmzDate(now)} + 15 min.)`;
  }
  return undefined;
}
