import {
  AccessDeniedError,
  CliError,
  EXIT,
  NetworkError,
  NoCredentialsError,
  StsRequestError,
  ThrottledError,
} from "../errors.js";
import { parseIdentityArn } from "../plan/role-arn.js";

export interface StsCallContext {
  readonly operation: string;
  readonly endpoint: string;
  readonly roleArn?: string | undefined;
  readonly callerArn?: string | undefined;
  /** GetSessionToken: the step it opens, for messages (`the MFA session of profile X`). */
  readonly session?: string | undefined;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
}

const THROTTLING = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
  "RequestTimeout",
]);

/** Pure: an error thrown by the STS client → the typed error the user sees, with a hint that says what to fix. */
export function mapStsError(err: unknown, ctx: StsCallContext): CliError {
  if (err instanceof CliError) return err; // already said (a BadAnswerError from create-sts.ts)
  const e = (err ?? {}) as SdkErrorShape;
  const code = e.Code ?? (e.name && e.name !== "Error" ? e.name : undefined) ?? e.code ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const what = ctx.roleArn ? `${ctx.operation} ${ctx.roleArn}` : ctx.operation;
  const awsMessage = e.message ?? "";
  if (code === "AccessDenied" || code === "AccessDeniedException") return accessDenied(ctx, awsMessage, err);
  if (THROTTLING.has(code) || (status !== undefined && status >= 500)) {
    const reason = THROTTLING.has(code) ? `throttled (${code})` : `unavailable (HTTP ${status})`;
    const tries = attempts === undefined ? "several attempts" : attempts === 1 ? "1 attempt" : `${attempts} attempts`;
    return new ThrottledError(`STS ${reason} on ${what} after ${tries}`, {
      hint: "many processes are calling STS at once; retry later or spread the calls out",
      cause: err,
    });
  }
  if (code === "ExpiredToken" || code === "ExpiredTokenException") {
    return new NoCredentialsError(`the credentials that signed ${what} have expired (${code})`, {
      hint: "refresh the source credentials (IMDS rotates them; exported ones must be fetched again)",
      cause: err,
    });
  }
  if (code === "InvalidClientTokenId" || code === "SignatureDoesNotMatch" || code === "IncompleteSignature") {
    return new NoCredentialsError(`STS rejected the credentials that signed ${what} (${code})`, {
      hint: "the access key, secret or session token is wrong or revoked; check AWS_* variables for stale values",
      cause: err,
    });
  }
  if (NETWORK.has(code) || (status === undefined && e.$metadata === undefined && /^E[A-Z]+$/.test(code))) {
    return networkError(e, code, what, ctx, err);
  }
  if (code === "RegionDisabledException") {
    return new StsRequestError(`STS is not activated in this region for ${what}`, code, {
      hint: "activate STS for the region in IAM account settings, or pass --region for an active one",
      cause: err,
    });
  }
  if (code === "ValidationError" || code.startsWith("MalformedPolicy") || code.startsWith("PackedPolicy")) {
    const hint = /DurationSeconds/.test(awsMessage)
      ? "ask for less with --duration, or raise the role's maximum session duration in IAM"
      : undefined;
    return new StsRequestError(`STS refused ${what}: ${awsMessage}`, code, { hint, cause: err });
  }
  return new CliError(`STS ${what} failed: ${code}: ${awsMessage}`, { exitCode: EXIT.internal, cause: err });
}

/** No answer: say which way it failed (the SDK names a reset connection "TimeoutError"; its errno says what happened). */
function networkError(e: SdkErrorShape, code: string, what: string, ctx: StsCallContext, cause: unknown): NetworkError {
  const errno = e.code !== undefined && /^E[A-Z]+$/.test(e.code) ? e.code : code;
  const tries = (e.$metadata?.attempts ?? 1) > 1 ? `, ${e.$metadata!.attempts} attempts` : "";
  const hint = "check the network, --region, and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL";
  if (errno === "ECONNRESET" || errno === "EPIPE") {
    return new NetworkError(`STS at ${ctx.endpoint} closed the connection without answering ${what} (${errno}${tries})`, {
      hint: `a proxy or firewall on the way may be cutting connections; ${hint}`,
      cause,
    });
  }
  if (errno === "ETIMEDOUT" || errno === "TimeoutError" || errno === "RequestTimeout") {
    return new NetworkError(`STS at ${ctx.endpoint} did not answer ${what} in time (${errno}${tries})`, { hint, cause });
  }
  return new NetworkError(`STS could not be reached at ${ctx.endpoint} for ${what} (${errno}${tries})`, { hint, cause });
}

function accessDenied(ctx: StsCallContext, awsMessage: string, cause: unknown): AccessDeniedError {
  const caller = ctx.callerArn ?? "the caller";
  const role = ctx.roleArn ?? "the role";
  const forWhat = ctx.operation === "GetSessionToken" ? (ctx.session ?? "the MFA session") : role;
  if (/MultiFactorAuthentication/i.test(awsMessage)) {
    return new AccessDeniedError(`access denied: the MFA code for ${forWhat} was refused`, {
      hint: "the code was wrong, expired or already used: wait for the next code and run again",
      cause,
    });
  }
  if (ctx.operation === "GetSessionToken") {
    return new AccessDeniedError(`access denied: STS refused GetSessionToken for ${forWhat}${awsMessage ? ` (${awsMessage})` : ""}`, {
      hint: "GetSessionToken needs the long-term keys of an IAM user, and mfa_serial must name that user's MFA device",
      cause,
    });
  }
  const principal = (ctx.callerArn && parseIdentityArn(ctx.callerArn)?.principalArn) ?? caller;
  // Session tags and a source identity need their own action on both sides; AWS names the one refused.
  const action = /not authorized to perform: (sts:\w+)/.exec(awsMessage)?.[1] ?? "sts:AssumeRole";
  const actions = action === "sts:AssumeRole" ? action : `sts:AssumeRole and ${action}`;
  const why = action === "sts:TagSession" ? " with session tags" : action === "sts:SetSourceIdentity" ? " with a source identity" : "";
  const hint = [
    `both sides must allow it:`,
    `  1. the permissions of ${principal} must allow ${actions} on ${role};`,
    `  2. the trust policy of ${role} must name ${principal} (or its account) as Principal${action === "sts:AssumeRole" ? "" : ` for ${actions}`}, and its conditions (sts:ExternalId, MFA) must hold.`,
  ].join("\n");
  const detail = awsMessage && !awsMessage.includes(role) ? ` (${awsMessage})` : "";
  return new AccessDeniedError(`access denied: ${caller} may not assume ${role}${why}${detail}`, { hint, cause });
}
