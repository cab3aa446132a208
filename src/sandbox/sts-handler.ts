/**
 * One STS (or IAM, see iam-actions.ts) request in, one response out (no sockets here): read the query-protocol form, apply
 * injected faults, check the action, authenticate the signature, run the action, and describe the
 * exchange as a StsRequestRecord (key IDs only, never secrets or tokens).
 */
import { callerIdentity } from "./caller.js";
import type { FaultState, StsFaultNow } from "./faults.js";
import type { IssuedCredentials } from "./issued-credentials.js";
import type { World } from "./world.js";
import type { IncomingSignedRequest } from "./sigv4-verify.js";
import { authenticate } from "./sts-auth.js";
import { assumeRole } from "./sts-assume-role.js";
import { StsError, stsErrors } from "./sts-errors.js";
import { assumeRoleWithWebIdentity } from "./sts-web-identity.js";
import { getSessionToken } from "./sts-session-token.js";
import { assumeRoleWithWebIdentityXml, assumeRoleXml, errorXml, getCallerIdentityXml, getSessionTokenXml } from "./sts-xml.js";
import { newRequestId } from "./ids.js";
import { IAM_VERSION, runIamAction } from "./iam-actions.js";
import { audiences, decodeJwt } from "./oidc-token.js";

export interface StsRequestRecord {
  /** "AssumeRole" | "GetCallerIdentity" | ... ("" when the request named no action) */
  action: string;
  /** The form params except Action/Version; a WebIdentityToken is replaced by "<redacted>" (it is a bearer secret). */
  params: Record<string, string>;
  /** AssumeRoleWithWebIdentity: the token's claims as sent (decoded, whether or not they verified). */
  webIdentity?: { issuer?: string | undefined; subject?: string | undefined; audience?: readonly string[] | undefined };
  /** Of the signing credentials, when the Authorization header parsed. */
  accessKeyId?: string;
  /** The region of the signature's credential scope (the region the client signed for). */
  signingRegion?: string;
  /** Who the sandbox decided the caller is. */
  callerArn?: string;
  /** The User-Agent header the client sent. */
  userAgent?: string;
  /** 0 when no answer was sent (the reset and hang faults). */
  status: number;
  errorCode?: string;
  /** The injected fault this request got, if any ("throttle", "unavailable" or a StsFaultKind). */
  fault?: string;
}

export interface StsHandlerContext {
  readonly world: World;
  readonly issued: IssuedCredentials;
  readonly faults: FaultState;
  readonly now: () => Date;
}

export interface StsResponse {
  /** A fault the server applies on the wire: no answer (reset, hang), or a different one (truncated, html-502). */
  readonly wire?: "reset" | "hang" | "truncated" | "html-502" | undefined;
  readonly status: number;
  readonly requestId: string;
  readonly body: string;
  readonly record: StsRequestRecord;
}

export const STS_VERSION = "2011-06-15";
const SUPPORTED_ACTIONS = ["AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity", "GetSessionToken"];

export async function handleStsRequest(ctx: StsHandlerContext, req: IncomingSignedRequest): Promise<StsResponse> {
  const requestId = newRequestId();
  const form = readForm(req);
  const action = form["Action"] ?? "";
  const params = Object.fromEntries(Object.entries(form).filter(([k]) => k !== "Action" && k !== "Version"));
  const record: StsRequestRecord = { action, params, status: 200 };
  const userAgent = req.headers["user-agent"];
  if (userAgent !== undefined) record.userAgent = userAgent;
  const webToken = params["WebIdentityToken"];
  if (webToken !== undefined) {
    params["WebIdentityToken"] = "<redacted>";
    const claims = decodeJwt(webToken)?.claims;
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    record.webIdentity = { issuer: text(claims?.["iss"]), subject: text(claims?.["sub"]), audience: claims && audiences(claims) };
  }
  const scope = credentialScopeOf(req);
  if (scope !== undefined) Object.assign(record, scope);
  const fault = ctx.faults.nextStsFault();
  if (fault !== undefined) record.fault = fault;
  if (fault === "reset" || fault === "hang" || fault === "html-502") {
    record.status = fault === "html-502" ? 502 : 0;
    return { wire: fault, status: record.status, requestId, body: "", record };
  }
  const wire = fault === "truncated" ? fault : undefined;
  try {
    const body = await runAction(ctx, req, form, record, requestId, fault);
    return { status: 200, requestId, body, record, wire };
  } catch (err) {
    const error = err instanceof StsError ? err : stsErrors.internal();
    record.status = error.status;
    record.errorCode = error.code;
    return { status: error.status, requestId, body: errorXml(error, requestId), record, wire };
  }
}

async function runAction(
  ctx: StsHandlerContext,
  req: IncomingSignedRequest,
  form: Readonly<Record<string, string>>,
  record: StsRequestRecord,
  requestId: string,
  fault: StsFaultNow,
): Promise<string> {
  if (fault === "throttle") throw stsErrors.throttling();
  if (fault === "unavailable") throw stsErrors.serviceUnavailable();
  if (fault === "expired-token") throw stsErrors.expiredToken();
  if (fault === "region-disabled") throw stsErrors.regionDisabled(ctx.world.instance.accountId);
  const version = form["Version"] ?? STS_VERSION;
  if (version === IAM_VERSION) {
    // The IAM Query API (GetRole, SimulatePrincipalPolicy) is served here too: AWS_ENDPOINT_URL_IAM names this port.
    const auth = await authenticate({ world: ctx.world, issued: ctx.issued, now: ctx.now() }, req, "iam");
    if (!auth.ok) throw auth.error;
    record.callerArn = callerIdentity(auth.caller).arn;
    return runIamAction(ctx.world, auth.caller, form, requestId);
  }
  if (!SUPPORTED_ACTIONS.includes(record.action) || version !== STS_VERSION) {
    throw stsErrors.invalidAction(record.action, version);
  }
  const now = ctx.now();
  if (record.action === "AssumeRoleWithWebIdentity") {
    // Unsigned: the token is the credential. A signature, if any, is ignored (as AWS does).
    const result = assumeRoleWithWebIdentity({ world: ctx.world, issued: ctx.issued, now }, form);
    return answerFault(fault, assumeRoleWithWebIdentityXml(faultySession(fault, result.session, now), result, requestId));
  }
  const auth = await authenticate({ world: ctx.world, issued: ctx.issued, now }, req);
  if (!auth.ok) throw auth.error;
  const identity = callerIdentity(auth.caller);
  record.callerArn = identity.arn;
  if (record.action === "GetCallerIdentity") return answerFault(fault, getCallerIdentityXml(identity, requestId));
  if (record.action === "GetSessionToken") {
    const userSession = getSessionToken({ world: ctx.world, issued: ctx.issued, now }, auth.caller, form);
    return answerFault(fault, getSessionTokenXml(faultySession(fault, userSession, now), requestId));
  }
  const session = assumeRole({ world: ctx.world, issued: ctx.issued, now }, auth.caller, form);
  return answerFault(fault, assumeRoleXml(faultySession(fault, session, now), requestId));
}

/** The expired-credentials fault: the session as issued, but its Expiration an hour in the past. */
function faultySession<S extends { expiration: Date }>(fault: StsFaultNow, session: S, now: Date): S {
  return fault === "expired-credentials" ? { ...session, expiration: new Date(now.getTime() - 3600_000) } : session;
}

/** The no-credentials fault: a 200 whose result lacks Credentials (GetCallerIdentity: lacks the identity). */
function answerFault(fault: StsFaultNow, xml: string): string {
  if (fault !== "no-credentials") return xml;
  if (xml.includes("<Credentials>")) return xml.replace(/ *<Credentials>[\s\S]*?<\/Credentials>\n/, "");
  return xml.replace(/ *<(Arn|UserId|Account)>[^<]*<\/\1>\n/g, "");
}

/** Query-protocol parameters: the URL query plus an x-www-form-urlencoded body (body wins). */
export function readForm(req: IncomingSignedRequest): Record<string, string> {
  const form: Record<string, string> = {};
  const q = req.url.indexOf("?");
  if (q >= 0) for (const [k, v] of new URLSearchParams(req.url.slice(q + 1))) form[k] = v;
  const contentType = req.headers["content-type"] ?? "";
  if (req.body.length > 0 && (contentType === "" || contentType.startsWith("application/x-www-form-urlencoded"))) {
    for (const [k, v] of new URLSearchParams(Buffer.from(req.body).toString("utf8"))) form[k] = v;
  }
  return form;
}

function credentialScopeOf(req: IncomingSignedRequest): { accessKeyId: string; signingRegion?: string } | undefined {
  const header = req.headers["authorization"];
  const m = header === undefined ? undefined : /Credential=([^/,\s]+)\/(?:\d{8}\/([^/,\s]+)\/)?/.exec(header);
  if (m?.[1] === undefined) return undefined;
  return m[2] === undefined ? { accessKeyId: m[1] } : { accessKeyId: m[1], signingRegion: m[2] };
}
