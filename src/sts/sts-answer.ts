/**
 * Pure: is what came back from STS an STS answer? The SDK turns a proxy's HTML page or a cut-off body into
 * a parse error ("this is a bug" territory) and happily returns a 200 without credentials or with expired
 * ones. Each of those is a BadAnswerError here: one line naming STS, the call and what was wrong.
 */
import { BadAnswerError } from "../errors.js";
import { isoSeconds } from "../iso-seconds.js";

/** What the HTTP layer saw of the last answer (recorded by a middleware in create-sts.ts). */
export interface AnswerMeta {
  status?: number | undefined;
  contentType?: string | undefined;
  /** The response's Date header: STS's clock. */
  date?: string | undefined;
}

export interface StsCall {
  /** "AssumeRole arn:…:role/X", "GetCallerIdentity", … */
  readonly what: string;
  /** Named in hints. */
  readonly endpoint: string;
}

const PROXY_HINT = (endpoint: string) =>
  `something between here and ${endpoint} (a proxy, captive portal or firewall) answered instead of STS; check the network and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL`;

/**
 * An error the SDK threw for something that is not an STS answer, as a BadAnswerError; undefined for a real
 * STS error or a failure to connect. Not an answer: any HTML page (the SDK reads an HTML 403 as error code
 * "Unknown"), and a body the SDK could not parse (it then carries the raw `$response` and no `$fault`,
 * which every real STS error has).
 */
export function unreadableAnswer(err: unknown, call: StsCall, meta: AnswerMeta): BadAnswerError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { message?: unknown; code?: unknown; $response?: { statusCode?: number; headers?: Record<string, string> } };
  const status = e.$response?.statusCode ?? meta.status;
  const contentType = e.$response?.headers?.["content-type"] ?? meta.contentType;
  const http = httpText(status, contentType);
  // An error the SDK could read a code from is STS speaking, whatever the content type says (moto labels its XML
  // errors text/html); an HTML page has none (the SDK names it "Unknown").
  const name = (err as { name?: unknown }).name;
  const named = "$fault" in err && typeof name === "string" && !/^(Unknown|Error)$/.test(name);
  if (status !== undefined && isHtml(contentType) && !named) {
    return new BadAnswerError(`STS answered ${call.what} with an HTML page (${http}), not an STS answer`, { hint: PROXY_HINT(call.endpoint), cause: err });
  }
  if (!("$response" in err) || "$fault" in err) return undefined;
  const code = typeof e.code === "string" ? e.code : undefined;
  const detail = firstLine(e.message).replace(/^@aws-sdk XML parse error: /, "").replace(/\.$/, "");
  if (code !== undefined || detail === "aborted") {
    return new BadAnswerError(`STS answered ${call.what} with an answer cut off mid-way (${http}, ${code ?? detail})`, {
      hint: `the connection broke during the answer: retry; if it persists, ${PROXY_HINT(call.endpoint)}`,
      cause: err,
    });
  }
  if (contentType !== undefined && !/xml/i.test(contentType)) {
    return new BadAnswerError(`STS answered ${call.what} with something that is not an STS answer (${http})`, { hint: PROXY_HINT(call.endpoint), cause: err });
  }
  return new BadAnswerError(`STS answered ${call.what} with XML that does not parse (${http}: ${detail})`, {
    hint: `the answer was cut off or garbled on the way: retry; if it persists, ${PROXY_HINT(call.endpoint)}`,
    cause: err,
  });
}

interface SdkCredentials {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
}

/**
 * Credentials that are complete and not yet expired, or the BadAnswerError that says why not. `assumedRoleArn`:
 * the answer's AssumedRoleUser, `null` for GetSessionToken (whose answer has none).
 */
export function checkCredentials(
  c: SdkCredentials | undefined,
  assumedRoleArn: string | undefined | null,
  call: StsCall,
  meta: AnswerMeta,
  now: Date,
): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || assumedRoleArn === undefined || assumedRoleArn === "") {
    if (isHtml(meta.contentType)) {
      throw new BadAnswerError(`STS answered ${call.what} with an HTML page (${httpText(meta.status, meta.contentType)}), not an STS answer`, {
        hint: PROXY_HINT(call.endpoint),
      });
    }
    const missing = !c ? "no Credentials" : !assumedRoleArn ? "no AssumedRoleUser" : "incomplete Credentials";
    throw new BadAnswerError(`STS answered ${call.what} with ${missing} (${httpText(meta.status, meta.contentType)})`, {
      hint: `that is not an STS answer; is ${call.endpoint} really STS (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL)?`,
    });
  }
  const expiration = c.Expiration;
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) {
    throw new BadAnswerError(`STS answered ${call.what} with credentials without a valid Expiration`, {
      hint: `that is not an STS answer; is ${call.endpoint} really STS (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL)?`,
    });
  }
  if (expiration.getTime() <= now.getTime()) throw expiredOnArrival(expiration, call, meta, now);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration };
}

/** Expired on arrival: either this machine's clock is ahead (STS's Date header says so), or the answer is wrong. */
function expiredOnArrival(expiration: Date, call: StsCall, meta: AnswerMeta, now: Date): BadAnswerError {
  const at = isoSeconds(expiration);
  const stsNow = meta.date === undefined ? undefined : new Date(meta.date);
  if (stsNow !== undefined && !Number.isNaN(stsNow.getTime()) && stsNow.getTime() < expiration.getTime()) {
    const ahead = Math.round((now.getTime() - stsNow.getTime()) / 60_000);
    return new BadAnswerError(
      `STS answered ${call.what} with credentials that expire at ${at}, already past by this machine's clock ${isoSeconds(now)}: it runs ${ahead} min ahead of STS's (${isoSeconds(stsNow)})`,
      { hint: "clock skew: set this machine's clock right (NTP: timedatectl, chrony), then run again" },
    );
  }
  const theirs = stsNow !== undefined && !Number.isNaN(stsNow.getTime()) ? ` and by STS's own ${isoSeconds(stsNow)}` : "";
  return new BadAnswerError(`STS answered ${call.what} with credentials that had already expired at ${at} (by this machine's clock ${isoSeconds(now)}${theirs})`, {
    hint: `check this machine's clock (clock skew; NTP) and whether ${call.endpoint} is really STS`,
  });
}

function isHtml(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*(text\/html|application\/xhtml)/i.test(contentType);
}

function httpText(status: number | undefined, contentType: string | undefined): string {
  const type = contentType?.split(";")[0]?.trim();
  return [status === undefined ? "HTTP ?" : `HTTP ${status}`, type || undefined].filter(Boolean).join(" ");
}

function firstLine(message: unknown): string {
  return (typeof message === "string" ? message : "").split("\n")[0]!.trim();
}
