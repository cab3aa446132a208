import { createHash } from "node:crypto";
import { isoSeconds } from "../iso-seconds.js";
import { parseRoleArn } from "../plan/role-arn.js";
import { isForeignRequest } from "./allowed-hosts.js";
import type { RefresherAnswer } from "./credential-refresher.js";
import { checkTokenPut, IMDS_TOKEN_PATH, IMDS_TTL_HEADER, imdsErrorPage, type ImdsTokens, presentedToken } from "./imds-protocol.js";

/** What `serve --imds` says about the "instance": everything derived from the chain's final role. */
export interface ImdsInstance {
  /** The final role's name: the one entry of iam/security-credentials/. */
  readonly roleName: string;
  /** A fake but stable `i-` ID (see fakeInstanceId). */
  readonly instanceId: string;
  /** The chain's region (placement/region). */
  readonly region: string;
  /** An instance profile named after the role, in the role's account (iam/info). */
  readonly instanceProfileArn: string;
  /** When serving began (iam/info's LastUpdated). */
  readonly startedAt: Date;
}

/** Pure: the instance facts for a chain whose final role is `roleArn`; undefined when that is not a role ARN. */
export function imdsInstance(roleArn: string, region: string, startedAt: Date): ImdsInstance | undefined {
  const role = parseRoleArn(roleArn);
  if (role === undefined) return undefined;
  return {
    roleName: role.name,
    instanceId: fakeInstanceId(roleArn),
    region,
    instanceProfileArn: `arn:${role.partition}:iam::${role.accountId}:instance-profile/${role.name}`,
    startedAt,
  };
}

/**
 * A fake instance ID shaped like EC2's (`i-` and 17 hex digits), the same every time a role is served, so
 * session names that tools build from it ({instanceId}) stay stable across restarts. It names no instance.
 */
export function fakeInstanceId(roleArn: string): string {
  return `i-${createHash("sha256").update(`assume-role serve --imds ${roleArn}`).digest("hex").slice(0, 17)}`;
}

export interface ImdsRequest {
  readonly method: string;
  /** The request path without its query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface ImdsReply {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What to do with a request: answer it as is, or answer with the current credentials (which the caller fetches). */
export type ImdsRoute = { readonly kind: "reply"; readonly reply: ImdsReply } | { readonly kind: "credentials"; readonly headers: Readonly<Record<string, string>> };

const META = "/latest/meta-data/";
const CREDENTIALS_DIR = `${META}iam/security-credentials/`;

/**
 * Pure (but for issuing tokens): how an IMDSv2-only metadata service answers `req`. A request not addressed
 * to one of `hosts` (see allowedHosts), or with an Origin, is a web page's: 403. The token PUT issues a
 * session token; every other request needs a valid one (401 without), then a known path (404 otherwise).
 */
export function routeImdsRequest(req: ImdsRequest, tokens: ImdsTokens, now: Date, instance: ImdsInstance, hosts: ReadonlySet<string>): ImdsRoute {
  if (isForeignRequest(req.headers, hosts)) return reply(errorReply(403, "Forbidden"));
  if (req.path === IMDS_TOKEN_PATH) {
    const verdict = checkTokenPut(req.method, req.headers);
    if (!verdict.ok) return reply(errorReply(verdict.status, verdict.reason));
    const token = tokens.issue(verdict.ttlSeconds, now);
    return reply({ status: 200, body: token, headers: { "content-type": "text/plain", [IMDS_TTL_HEADER]: String(verdict.ttlSeconds) } });
  }
  if (req.method !== "GET" && req.method !== "HEAD") return reply(errorReply(405, "Method Not Allowed"));
  const token = presentedToken(req.headers);
  const left = token === undefined ? undefined : tokens.remaining(token, now);
  if (left === undefined) return reply(errorReply(401, "Unauthorized"));
  const headers = { [IMDS_TTL_HEADER]: String(left) };
  if (req.path === CREDENTIALS_DIR + instance.roleName) return { kind: "credentials", headers };
  const body = metadata(instance)[req.path];
  if (body === undefined) return reply(errorReply(404, "Not Found"));
  return reply({ status: 200, body, headers: { "content-type": "text/plain", ...headers } });
}

/**
 * The credentials document (IMDS's field names; `Token`, not `SessionToken`), or 503 when nothing valid is
 * left to serve. LastUpdated is when this process obtained them: their expiry less the lifetime they were served with.
 */
export function credentialsReply(answer: RefresherAnswer, headers: Readonly<Record<string, string>>): ImdsReply {
  if (!answer.ok) return { status: 503, body: `${answer.message}\n`, headers: { "content-type": "text/plain" } };
  const c = answer.credentials;
  const document = {
    Code: "Success",
    LastUpdated: isoSeconds(new Date(c.expiration.getTime() - c.lifetimeSeconds * 1000)),
    Type: "AWS-HMAC",
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  };
  return { status: 200, body: pretty(document), headers: { "content-type": "text/plain", ...headers } };
}

/** Every path served besides the token and the credentials, with its body (listings: one entry a line). */
function metadata(i: ImdsInstance): Readonly<Record<string, string>> {
  return {
    [META]: lines(["iam/", "instance-id", "placement/"]),
    [`${META}iam/`]: lines(["info", "security-credentials/"]),
    [`${META}iam/info`]: pretty({ Code: "Success", LastUpdated: isoSeconds(i.startedAt), InstanceProfileArn: i.instanceProfileArn }),
    [CREDENTIALS_DIR]: i.roleName,
    [`${META}instance-id`]: i.instanceId,
    [`${META}placement/`]: lines(["region"]),
    [`${META}placement/region`]: i.region,
  };
}

function reply(r: ImdsReply): ImdsRoute {
  return { kind: "reply", reply: r };
}

function errorReply(status: number, reason: string): ImdsReply {
  return { status, body: imdsErrorPage(status, reason), headers: { "content-type": "text/html" } };
}

function lines(items: readonly string[]): string {
  return items.join("\n");
}

/** IMDS pretty-prints its JSON documents. */
function pretty(value: object): string {
  return JSON.stringify(value, null, 2);
}
