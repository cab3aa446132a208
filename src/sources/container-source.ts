/**
 * Source `container`: the ECS / CodeBuild / EKS Pod Identity credentials endpoint.
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI  → http://169.254.170.2<value> (wins over FULL_URI, as in every SDK)
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI      → https to any host; http only to loopback, 169.254.170.2
 *                                             (ECS), 169.254.170.23 or [fd00:ec2::23] (EKS Pod Identity)
 *   Authorization header: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read on every request), else
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN; a value with CR or LF is refused (it would split the header).
 * Each request: 1 s timeout, 3 attempts 1 s apart on no answer / 5xx (the JS SDK's fromHttp and
 * botocore do the same: the agent may be restarting while the task starts). A 4xx fails at once.
 */
import { ConfigError, NoCredentialsError } from "../errors.js";
import { isLoopback } from "../net/is-loopback.js";
import { parseRoleArn } from "../plan/role-arn.js";
import type { SourceResult } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";
import { nonBlank } from "../non-blank.js";
import { parseJsonObject } from "../json-object.js";
import { loadStretch } from "../net/load-stretch.js";

type Env = Readonly<Record<string, string | undefined>>;

export const ECS_HOST = "169.254.170.2";
const RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const CONTAINER_AGENT_HOSTS = new Set([ECS_HOST, "169.254.170.23", "[fd00:ec2::23]"]);

export interface ContainerEndpoint {
  readonly url: URL;
  /** The variable it came from. */
  readonly origin: typeof RELATIVE | typeof FULL;
}

/** Pure: the endpoint the environment names (ecs-tests.json pins this down), or why not. */
export function containerEndpoint(env: Env): ContainerEndpoint {
  const relative = nonBlank(env[RELATIVE]);
  const full = nonBlank(env[FULL]);
  if (relative !== undefined) {
    // Concatenating a value without a leading slash could move the host ("@evil.example/…").
    if (!relative.startsWith("/")) throw new ConfigError(`${RELATIVE} '${relative}': must be a path starting with /`);
    return { url: new URL(`http://${ECS_HOST}${relative}`), origin: RELATIVE };
  }
  if (full === undefined) throw new SourceSkipped(`${RELATIVE} / ${FULL} are not set`);
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw new ConfigError(`${FULL} '${full}': the URI did not specify a host (expected http(s)://HOST[:PORT]/PATH)`);
  }
  if (url.protocol === "https:") return { url, origin: FULL };
  if (url.protocol !== "http:") throw new ConfigError(`${FULL} '${full}': must be an http or https URL`);
  if (!isAllowedHttpHost(url.hostname)) {
    throw new ConfigError(`${FULL} '${full}': plain http is only allowed to loopback, ${ECS_HOST}, 169.254.170.23 or [fd00:ec2::23]`, {
      hint: "use https for any other host",
    });
  }
  return { url, origin: FULL };
}

export function isAllowedHttpHost(hostname: string): boolean {
  return isLoopback(hostname) || CONTAINER_AGENT_HOSTS.has(hostname.toLowerCase());
}

/** The URI without its query (which may carry a secret), for messages and the identity key. */
export function shownUri(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export interface ContainerDeps {
  readonly env: Env;
  readonly readFile: (path: string) => Promise<string>;
  readonly fetch: typeof globalThis.fetch;
  readonly protectSecret: (secret: string) => void;
  readonly debug: (line: string) => void;
  /** Pause between attempts (injectable for tests); default setTimeout. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How much slower than its CPU time this process runs (ctx.hostSlowdown): on a saturated host the timeout stretches, as IMDS's does. */
  readonly hostSlowdown?: (() => number) | undefined;
}

const TIMEOUT_MS = 1000;
const ATTEMPTS = 3;
const PAUSE_MS = 1000;

export async function containerSource(deps: ContainerDeps): Promise<SourceResult> {
  const { url } = containerEndpoint(deps.env);
  const shown = shownUri(url);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let failure = "";
  const slowdown = deps.hostSlowdown?.() ?? 1;
  const timeoutMs = Math.round(TIMEOUT_MS * loadStretch(slowdown));
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(PAUSE_MS);
    const authorization = await authorizationHeader(deps);
    let res: Response;
    try {
      res = await deps.fetch(url, {
        headers: { accept: "application/json", ...(authorization === undefined ? {} : { authorization }) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      failure = networkReason(err, timeoutMs);
      deps.debug(`container: GET ${shown} failed: ${failure} (attempt ${attempt})`);
      continue;
    }
    const body = await res.text().catch(() => "");
    deps.debug(`container: GET ${shown} -> ${res.status} (attempt ${attempt})`);
    if (res.status >= 500) {
      failure = `HTTP ${res.status}${errorDetail(body)}`;
      continue;
    }
    if (res.status !== 200) {
      throw new NoCredentialsError(`the container credentials endpoint ${shown} refused: HTTP ${res.status}${errorDetail(body)}`, {
        hint:
          res.status === 401 || res.status === 403
            ? "check AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE): the endpoint did not accept the Authorization value"
            : undefined,
      });
    }
    return toResult(body, shown, deps);
  }
  throw new NoCredentialsError(`the container credentials endpoint ${shown} did not answer after ${ATTEMPTS} attempts (${failure})`, {
    hint: "outside ECS/EKS unset AWS_CONTAINER_CREDENTIALS_*; inside, the credentials agent may be down",
  });
}

/** The Authorization value: the token file (read now, it may rotate) beats the token variable. */
async function authorizationHeader(deps: ContainerDeps): Promise<string | undefined> {
  const file = nonBlank(deps.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
  let value: string | undefined;
  let origin: string;
  if (file !== undefined) {
    origin = `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (${file})`;
    try {
      value = await deps.readFile(file);
    } catch (err) {
      throw new NoCredentialsError(`${origin} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  } else {
    origin = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    value = deps.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    if (value === undefined || value === "") return undefined;
  }
  if (/[\r\n]/.test(value)) {
    throw new ConfigError(`${origin}: the token contains a CR or LF character, which an HTTP header cannot carry`, {
      hint: "write the token without a trailing newline (e.g. printf '%s' \"$TOKEN\" > FILE)",
    });
  }
  deps.protectSecret(value);
  return value;
}

function toResult(body: string, shown: string, deps: ContainerDeps): SourceResult {
  const json = parseJsonObject(body);
  const fields = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] as const;
  if (json === undefined || !fields.every((f) => typeof json[f] === "string" && json[f] !== "")) {
    throw new NoCredentialsError(`the container credentials endpoint ${shown} answered without AccessKeyId, SecretAccessKey, Token and Expiration`);
  }
  const [accessKeyId, secretAccessKey, sessionToken, expirationText] = fields.map((f) => json[f] as string) as [string, string, string, string];
  deps.protectSecret(secretAccessKey);
  deps.protectSecret(sessionToken);
  const expiration = new Date(expirationText);
  if (Number.isNaN(expiration.getTime())) {
    throw new NoCredentialsError(`the container credentials endpoint ${shown} gave an Expiration that is not a time`);
  }
  const role = typeof json["RoleArn"] === "string" ? parseRoleArn(json["RoleArn"]) : undefined;
  return {
    kind: "container",
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    // Who the credentials are, not where they came from: endpoints on reused loopback ports (or one URI
    // shared by many pods) serve different identities. The role when the endpoint names it, else the key.
    accountId: role?.accountId,
    partition: role?.partition,
  };
}

/** `: Code: Message` from an error body ({code, message} in any case), when it has one. */
function errorDetail(body: string): string {
  const json = parseJsonObject(body) ?? {};
  const pick = (name: string) => Object.entries(json).find(([k]) => k.toLowerCase() === name)?.[1];
  const parts = [pick("code"), pick("message")].filter((v): v is string => typeof v === "string" && v !== "");
  return parts.length ? `: ${parts.join(": ").slice(0, 200)}` : "";
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.name ?? "error";
}

