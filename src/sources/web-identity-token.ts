/**
 * Reading a web-identity (OIDC) token: from a file (re-read on every call: EKS and others rotate it),
 * from an environment variable (GitLab `id_tokens`), or from the GitHub Actions ID-token endpoint.
 * Every failure names where the token was to come from, never the token.
 */
import { NoCredentialsError } from "../errors.js";
import type { WebIdentityToken } from "../types.js";
import { parseJsonObject } from "../json-object.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The audience AWS expects in a token for AssumeRoleWithWebIdentity (and GitHub's docs use). */
export const STS_AUDIENCE = "sts.amazonaws.com";

export interface TokenDeps {
  readonly env: Env;
  readonly readFile: (path: string) => Promise<string>;
  readonly fetch: typeof globalThis.fetch;
  /** Registered so that stderr never shows the token (or GitHub's request bearer). */
  readonly protectSecret: (secret: string) => void;
  readonly debug: (line: string) => void;
  /** Pause between attempts of the GitHub request (injectable for tests). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Where a token comes from, for messages: `token file /x (AWS_WEB_IDENTITY_TOKEN_FILE)`. */
export function describeTokenSource(token: WebIdentityToken, fromEnvFile: boolean): string {
  switch (token.kind) {
    case "file":
      return `token file ${token.path}${fromEnvFile ? " (AWS_WEB_IDENTITY_TOKEN_FILE)" : ""}`;
    case "env":
      return `environment variable ${token.name}`;
    case "github":
      return "the GitHub Actions OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)";
  }
}

export async function readWebIdentityToken(token: WebIdentityToken, origin: string, deps: TokenDeps): Promise<string> {
  const value = await fetchToken(token, origin, deps);
  deps.protectSecret(value);
  return value;
}

async function fetchToken(token: WebIdentityToken, origin: string, deps: TokenDeps): Promise<string> {
  switch (token.kind) {
    case "file": {
      let text: string;
      try {
        text = await deps.readFile(token.path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        throw new NoCredentialsError(`web identity ${origin} cannot be read (${code})`, {
          hint: "check the path and that this user may read it (on EKS the token is mounted by the pod identity webhook)",
        });
      }
      return nonEmpty(text, origin, "the file is empty");
    }
    case "env": {
      const text = deps.env[token.name];
      if (text === undefined) {
        throw new NoCredentialsError(`web identity ${origin} is not set`, {
          hint: `GitLab: declare it in .gitlab-ci.yml under id_tokens: (${token.name}: {aud: ${STS_AUDIENCE}})`,
        });
      }
      return nonEmpty(text, origin, "it is empty");
    }
    case "github":
      return githubIdToken(deps);
  }
}

function nonEmpty(text: string, origin: string, why: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw new NoCredentialsError(`web identity ${origin}: ${why}`);
  return trimmed;
}

const GITHUB_HINT = "the workflow (or job) needs `permissions: id-token: write` for GitHub to issue OIDC tokens";
const GITHUB_ATTEMPTS = 3;
const GITHUB_TIMEOUT_MS = 10_000;

/**
 * GitHub Actions: GET ACTIONS_ID_TOKEN_REQUEST_URL with `audience=sts.amazonaws.com` and
 * `Authorization: bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the answer is JSON `{"value": "<JWT>"}`.
 * Network failures and 5xx are tried 3 times (1 s, then 2 s apart); 4xx fails at once.
 */
export async function githubIdToken(deps: TokenDeps): Promise<string> {
  const urlText = deps.env.ACTIONS_ID_TOKEN_REQUEST_URL?.trim();
  const bearer = deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN?.trim();
  if (!urlText || !bearer) {
    throw new NoCredentialsError("GitHub Actions offers no OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN are not set", {
      hint: GITHUB_HINT,
    });
  }
  deps.protectSecret(bearer);
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new NoCredentialsError("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL");
  }
  url.searchParams.set("audience", STS_AUDIENCE);
  const shown = `${url.origin}${url.pathname}`;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let failure = "";
  for (let attempt = 1; attempt <= GITHUB_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(1000 * (attempt - 1));
    let res: Response;
    try {
      res = await deps.fetch(url, {
        headers: { authorization: `bearer ${bearer}`, accept: "application/json; api-version=2.0" },
        signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
      });
    } catch (err) {
      failure = networkReason(err);
      deps.debug(`web-identity: GitHub OIDC request to ${shown} failed: ${failure} (attempt ${attempt})`);
      continue;
    }
    const body = await res.text().catch(() => "");
    deps.debug(`web-identity: GitHub OIDC request to ${shown} -> ${res.status} (attempt ${attempt})`);
    if (res.status >= 500) {
      failure = `HTTP ${res.status}`;
      continue;
    }
    if (res.status !== 200) {
      throw new NoCredentialsError(`GitHub Actions refused the OIDC token request to ${shown}: HTTP ${res.status}`, {
        hint: GITHUB_HINT,
      });
    }
    return tokenValue(body, shown);
  }
  throw new NoCredentialsError(`GitHub Actions OIDC token request to ${shown} failed after ${GITHUB_ATTEMPTS} attempts (${failure})`, {
    hint: "GitHub's token service may be unavailable; re-run the job",
  });
}

function tokenValue(body: string, shown: string): string {
  const value = parseJsonObject(body)?.value;
  if (typeof value !== "string" || value.trim() === "") {
    throw new NoCredentialsError(`GitHub Actions answered the OIDC token request to ${shown} without a token (no "value")`);
  }
  return value.trim();
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${GITHUB_TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.name ?? "error";
}

/** The claims of a JWT, decoded WITHOUT verifying (for names and cache keys only); undefined if not a JWT. */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
