/**
 * The console federation endpoint (GET /federation on the STS server), as AWS's sign-in service answers a
 * custom identity broker:
 *   Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}[&SessionDuration=900..43200]
 *     → 200 {"SigninToken": "..."} when the three values are a live session the sandbox issued; 400 otherwise.
 *     SessionDuration is refused for a session that AssumeRole did not give to long-term keys (chained, IMDS, or
 *     assumed with a GetSessionToken session).
 *   Action=login&Issuer&Destination&SigninToken → a minimal page naming who is signed in (tokens live 15 min).
 * Records keep key IDs and the fake sign-in token, never the secret key or session token.
 */
import { newSigninToken } from "./ids.js";
import { isExpired, type IssuedCredentials, type IssuedSession } from "./issued-credentials.js";

export interface FederationRecord {
  /** "getSigninToken" | "login" | whatever Action the request named ("" for none). */
  action: string;
  /** getSigninToken: sessionId and SessionDuration as received; login: Issuer, Destination. Never secrets. */
  params: Record<string, string>;
  /** getSigninToken: the Session JSON's three values are those of this issued session (its ARN). */
  sessionArn?: string;
  /** getSigninToken: the token handed out; login: whether the token was one handed out and still valid. */
  signinToken?: string;
  tokenValid?: boolean;
  status: number;
  /** Why the sandbox refused, as its answer says. */
  error?: string;
}

export interface FederationAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly record: FederationRecord;
}

const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;

export class FederationTokens {
  readonly #tokens = new Map<string, { session: IssuedSession; issuedAt: Date }>();

  issue(session: IssuedSession, now: Date): string {
    const token = newSigninToken();
    this.#tokens.set(token, { session, issuedAt: now });
    return token;
  }

  lookup(token: string, now: Date): IssuedSession | undefined {
    const found = this.#tokens.get(token);
    if (found === undefined || now.getTime() - found.issuedAt.getTime() > TOKEN_LIFETIME_MS) return undefined;
    return found.session;
  }
}

export interface FederationContext {
  readonly issued: IssuedCredentials;
  readonly tokens: FederationTokens;
  readonly now: () => Date;
}

export function handleFederation(ctx: FederationContext, method: string, query: URLSearchParams): FederationAnswer {
  const action = query.get("Action") ?? "";
  const record: FederationRecord = { action, params: {}, status: 200 };
  const refuse = (status: number, error: string): FederationAnswer => {
    record.status = status;
    record.error = error;
    return { status, contentType: "text/plain", body: `${error}\n`, record };
  };
  if (method !== "GET") return refuse(405, "Method not allowed");
  if (action === "getSigninToken") return signinToken(ctx, query, record, refuse);
  if (action === "login") return login(ctx, query, record, refuse);
  return refuse(400, `Unsupported Action '${action}'`);
}

type Refuse = (status: number, error: string) => FederationAnswer;

function signinToken(ctx: FederationContext, query: URLSearchParams, record: FederationRecord, refuse: Refuse): FederationAnswer {
  const now = ctx.now();
  const duration = query.get("SessionDuration");
  if (duration !== null) record.params.SessionDuration = duration;
  let session: unknown;
  try {
    session = JSON.parse(query.get("Session") ?? "");
  } catch {
    return refuse(400, "Session is not JSON");
  }
  const field = (name: string) => (session !== null && typeof session === "object" ? (session as Record<string, unknown>)[name] : undefined);
  const [id, key, token] = [field("sessionId"), field("sessionKey"), field("sessionToken")];
  if (typeof id !== "string" || typeof key !== "string" || typeof token !== "string") {
    return refuse(400, "Session must hold sessionId, sessionKey and sessionToken");
  }
  record.params.sessionId = id;
  const issued = ctx.issued.get(id);
  if (issued === undefined || issued.secretAccessKey !== key || issued.sessionToken !== token) {
    return refuse(400, "The session's credentials are not valid");
  }
  if (isExpired(issued, now)) return refuse(400, "The session has expired");
  if (duration !== null) {
    const seconds = Number(duration);
    if (!/^\d+$/.test(duration) || seconds < MIN_DURATION || seconds > MAX_DURATION) {
      return refuse(400, `SessionDuration must be ${MIN_DURATION}-${MAX_DURATION}`);
    }
    if (issued.origin !== "sts" || issued.chained) {
      return refuse(400, "SessionDuration is not allowed for a session not obtained with long-term credentials");
    }
  }
  const signin = ctx.tokens.issue(issued, now);
  record.sessionArn = issued.arn;
  record.signinToken = signin;
  return { status: 200, contentType: "application/json", body: JSON.stringify({ SigninToken: signin }), record };
}

function login(ctx: FederationContext, query: URLSearchParams, record: FederationRecord, refuse: Refuse): FederationAnswer {
  for (const name of ["Issuer", "Destination"]) {
    const value = query.get(name);
    if (value !== null) record.params[name] = value;
  }
  const session = ctx.tokens.lookup(query.get("SigninToken") ?? "", ctx.now());
  record.tokenValid = session !== undefined;
  if (session === undefined) return refuse(400, "The sign-in token is not valid or has expired");
  record.sessionArn = session.arn;
  const destination = query.get("Destination") ?? "";
  const page =
    `<!doctype html>\n<title>assume-role sandbox console</title>\n` +
    `<p>Signed in to the sandbox console as <code>${escapeHtml(session.arn)}</code>.</p>\n` +
    `<p>AWS would now show <code>${escapeHtml(destination)}</code>.</p>\n`;
  return { status: 200, contentType: "text/html; charset=utf-8", body: page, record };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
