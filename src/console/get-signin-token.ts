/**
 * Exchange a role session for a console sign-in token at the federation endpoint. The request URL holds
 * the session's secret key and token (that is the protocol: a GET with the Session JSON in the query), so
 * it is never logged or put in a message: messages name the endpoint by origin and path only.
 */
import { BadAnswerError, NetworkError } from "../errors.js";
import { parseJsonObject } from "../json-object.js";
import { escapeControls } from "../ui/escape-controls.js";
import { signinTokenRequestUrl, type FederationSession } from "./console-urls.js";

export interface SigninTokenDeps {
  readonly fetch: typeof globalThis.fetch;
  readonly debug: (line: string) => void;
  readonly timeoutMs?: number | undefined;
}

const TIMEOUT_MS = 10_000;
const HINT = "the federation endpoint signs role sessions in; check --signin-url, or try again";

export async function getSigninToken(
  deps: SigninTokenDeps,
  endpoint: URL,
  session: FederationSession,
  sessionDuration: number | undefined,
): Promise<string> {
  const shown = escapeControls(`${endpoint.origin}${endpoint.pathname}`);
  const url = signinTokenRequestUrl(endpoint, session, sessionDuration);
  deps.debug(`console: getSigninToken at ${shown}${sessionDuration === undefined ? "" : ` (SessionDuration ${sessionDuration})`}`);
  let response: Response;
  let body: string;
  try {
    response = await deps.fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(deps.timeoutMs ?? TIMEOUT_MS) });
    body = await response.text();
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? "no answer in time" : causeOf(err);
    throw new NetworkError(`console: cannot reach the federation endpoint ${shown}: ${reason}`, { cause: err, hint: HINT });
  }
  if (response.status !== 200) {
    throw new BadAnswerError(`console: the federation endpoint ${shown} answered HTTP ${response.status} to getSigninToken`, {
      hint: response.status >= 400 && response.status < 500 ? "it refused this session (a GetSessionToken session, or an expired one, is refused)" : HINT,
    });
  }
  const json = parseJsonObject(body);
  if (json === undefined) throw new BadAnswerError(`console: the federation endpoint ${shown} answered getSigninToken with something that is not a JSON object`, { hint: HINT });
  const token = json["SigninToken"];
  if (typeof token !== "string" || token === "") {
    throw new BadAnswerError(`console: the federation endpoint ${shown} answered getSigninToken without a SigninToken`, { hint: HINT });
  }
  return token;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return escapeControls(cause.message);
  return err instanceof Error ? escapeControls(err.message) : "request failed";
}
