/** STS query-protocol response bodies, shaped like the real service. Every value is XML-escaped. */
import type { StsError } from "./sts-errors.js";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** `<Name>escaped value</Name>` */
function el(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

/** YYYY-MM-DDTHH:MM:SSZ (no milliseconds), as STS and IMDS write timestamps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function envelope(action: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>\n${result}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    ${el("RequestId", requestId)}\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

export interface AssumeRoleXmlInput {
  readonly assumedRoleId: string;
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly sourceIdentity?: string | undefined;
  readonly packedPolicySize?: number | undefined;
}

/** The members AssumeRole and AssumeRoleWithWebIdentity share: AssumedRoleUser and Credentials. */
function sessionMembers(r: AssumeRoleXmlInput): string {
  return (
    `    <AssumedRoleUser>\n` +
    `      ${el("AssumedRoleId", r.assumedRoleId)}\n` +
    `      ${el("Arn", r.arn)}\n` +
    `    </AssumedRoleUser>\n` +
    `    <Credentials>\n` +
    `      ${el("AccessKeyId", r.accessKeyId)}\n` +
    `      ${el("SecretAccessKey", r.secretAccessKey)}\n` +
    `      ${el("SessionToken", r.sessionToken)}\n` +
    `      ${el("Expiration", isoSeconds(r.expiration))}\n` +
    `    </Credentials>\n`
  );
}

export function assumeRoleXml(r: AssumeRoleXmlInput, requestId: string): string {
  const result =
    sessionMembers(r) +
    (r.packedPolicySize === undefined ? "" : `    ${el("PackedPolicySize", String(r.packedPolicySize))}\n`) +
    (r.sourceIdentity === undefined ? "" : `    ${el("SourceIdentity", r.sourceIdentity)}\n`);
  return envelope("AssumeRole", result, requestId);
}

export interface WebIdentityXmlInput {
  /** The token's `sub`. */
  readonly subject: string;
  /** The token audience (client ID) IAM matched. */
  readonly audience: string;
  /** For an OIDC token: its `iss`. */
  readonly provider: string;
}

export function assumeRoleWithWebIdentityXml(r: AssumeRoleXmlInput, w: WebIdentityXmlInput, requestId: string): string {
  const result =
    `    ${el("SubjectFromWebIdentityToken", w.subject)}\n` +
    `    ${el("Audience", w.audience)}\n` +
    sessionMembers(r) +
    `    ${el("Provider", w.provider)}\n` +
    (r.sourceIdentity === undefined ? "" : `    ${el("SourceIdentity", r.sourceIdentity)}\n`);
  return envelope("AssumeRoleWithWebIdentity", result, requestId);
}

/** GetSessionToken's answer: Credentials only (no AssumedRoleUser: the session acts as the user). */
export function getSessionTokenXml(
  c: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string; readonly expiration: Date },
  requestId: string,
): string {
  const result =
    `    <Credentials>\n` +
    `      ${el("AccessKeyId", c.accessKeyId)}\n` +
    `      ${el("SecretAccessKey", c.secretAccessKey)}\n` +
    `      ${el("SessionToken", c.sessionToken)}\n` +
    `      ${el("Expiration", isoSeconds(c.expiration))}\n` +
    `    </Credentials>\n`;
  return envelope("GetSessionToken", result, requestId);
}

export function getCallerIdentityXml(id: { arn: string; userId: string; account: string }, requestId: string): string {
  const result = `    ${el("Arn", id.arn)}\n    ${el("UserId", id.userId)}\n    ${el("Account", id.account)}\n`;
  return envelope("GetCallerIdentity", result, requestId);
}

export function errorXml(error: StsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>\n` +
    `    ${el("Type", error.type)}\n` +
    `    ${el("Code", error.code)}\n` +
    `    ${el("Message", error.message)}\n` +
    `  </Error>\n` +
    `  ${el("RequestId", requestId)}\n` +
    `</ErrorResponse>\n`
  );
}
