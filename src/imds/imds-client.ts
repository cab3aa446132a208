import { BadAnswerError, NoCredentialsError } from "../errors.js";
import type { ImdsConfig } from "./imds-config.js";

export const TOKEN_PATH = "/latest/api/token";
const TOKEN_TTL_SECONDS = "21600";
/** An IMDSv2 token is an opaque header value: printable, no spaces, well under 1 KiB (EC2's are ~56 base64 chars). */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/** IMDS answered, but not 200: exit 3, with what the status means on EC2. */
export class ImdsHttpError extends NoCredentialsError {
  constructor(
    readonly endpoint: string,
    readonly path: string,
    readonly status: number,
  ) {
    super(`IMDS at ${endpoint} answered HTTP ${status} for ${path}`, { hint: STATUS_HINTS[status] ?? "IMDS may be overloaded; retry later" });
  }
}

const STATUS_HINTS: Record<number, string> = {
  403: "IMDS is turned off for this instance (metadata option HttpEndpoint=disabled), or the request was refused",
  404: "this path is not served here: is AWS_EC2_METADATA_SERVICE_ENDPOINT an EC2 metadata service?",
};

type Outcome = { kind: "response"; status: number; body: string } | { kind: "timeout"; waitedMs: number } | { kind: "error"; code: string };

/**
 * IMDSv2 client on `fetch`: one token per process, v1 fallback only where the SDKs fall back
 * (403/404/405 on the token PUT, or no answer to it), explicit timeouts. The SDK's metadata
 * packages are not used: they ignore AWS_METADATA_SERVICE_TIMEOUT and have no default timeout.
 */
export class ImdsClient {
  private token: Promise<string | undefined> | undefined;
  /**
   * After a token PUT that got no answer, v1 GETs wait half the default timeout until IMDS answers, so that off
   * EC2 we fail in ~1.5 s. An explicit AWS_METADATA_SERVICE_TIMEOUT is always honoured in full.
   */
  private probing = false;

  constructor(
    private readonly config: ImdsConfig,
    private readonly fetchImpl: typeof globalThis.fetch,
    private readonly debug: (line: string) => void = () => {},
  ) {}

  get endpoint(): string {
    return this.config.endpoint;
  }

  /** GET a metadata path (leading slash), with the session token when one could be had. */
  async get(path: string): Promise<string> {
    const token = await this.sessionToken();
    let outcome = await this.request("GET", path, token);
    let retriedWith: string | undefined;
    if (outcome.kind === "response" && outcome.status === 401 && token !== undefined) {
      // The token expired or was revoked: IMDS says so with 401, and a new one must work.
      this.token = undefined;
      retriedWith = await this.sessionToken();
      outcome = await this.request("GET", path, retriedWith);
    }
    if (outcome.kind !== "response") throw this.unreachable(outcome);
    if (outcome.status === 401 && retriedWith !== undefined) {
      throw new BadAnswerError(`IMDS at ${this.config.endpoint} refused ${path} (HTTP 401) with a session token it had just issued`, {
        hint: "a metadata service that rejects its own fresh tokens is broken or is not EC2's; retry, and check AWS_EC2_METADATA_SERVICE_ENDPOINT",
      });
    }
    if (outcome.status === 401) {
      throw new NoCredentialsError(`IMDS at ${this.config.endpoint} requires a session token (IMDSv2) and refused ${path}`, {
        hint: "the IMDSv2 token request failed; if this runs in a container, raise the instance's HttpPutResponseHopLimit to 2",
      });
    }
    if (outcome.status !== 200) throw new ImdsHttpError(this.config.endpoint, path, outcome.status);
    return outcome.body;
  }

  private sessionToken(): Promise<string | undefined> {
    this.token ??= this.fetchToken();
    return this.token;
  }

  private async fetchToken(): Promise<string | undefined> {
    const outcome = await this.request("PUT", TOKEN_PATH, undefined);
    if (outcome.kind === "response" && outcome.status === 200) {
      if (!TOKEN_SHAPE.test(outcome.body)) {
        // Sent back as a header, an HTML page would fail as "unreachable"; say what it is.
        throw new BadAnswerError(`IMDS at ${this.config.endpoint} answered the session-token request (HTTP 200) with something that is not a token`, {
          hint: "is a proxy answering for the metadata service? check AWS_EC2_METADATA_SERVICE_ENDPOINT and any HTTP proxy on the way",
        });
      }
      return outcome.body;
    }
    if (outcome.kind === "error") throw this.unreachable(outcome);
    const reason = outcome.kind === "timeout" ? "no answer" : `HTTP ${outcome.status}`;
    const fallsBack = outcome.kind === "timeout" || [403, 404, 405].includes(outcome.status);
    if (!fallsBack) {
      throw new NoCredentialsError(`IMDS at ${this.config.endpoint} refused the session-token request (${reason})`);
    }
    if (this.config.v1Disabled) {
      throw new NoCredentialsError(
        `IMDS at ${this.config.endpoint} gave no session token (${reason}) and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)`,
        {
          hint:
            outcome.kind === "timeout"
              ? "inside a container the token answer needs HttpPutResponseHopLimit >= 2 on the instance"
              : "IMDS may be turned off for this instance (HttpEndpoint=disabled)",
        },
      );
    }
    this.debug(`imds: no session token (${reason}); falling back to IMDSv1`);
    if (outcome.kind === "timeout") this.probing = true;
    return undefined;
  }

  private async request(method: "GET" | "PUT", path: string, token: string | undefined): Promise<Outcome> {
    let last: Outcome = { kind: "timeout", waitedMs: 0 };
    for (let attempt = 1; attempt <= this.config.attempts; attempt++) {
      last = await this.once(method, path, token);
      if (last.kind === "response" && last.status < 500) return last;
      if (last.kind === "error") return last;
    }
    return last;
  }

  private async once(method: "GET" | "PUT", path: string, token: string | undefined): Promise<Outcome> {
    const headers: Record<string, string> =
      method === "PUT" ? { "x-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS } : {};
    if (token !== undefined) headers["x-aws-ec2-metadata-token"] = token;
    const started = Date.now();
    const timeoutMs = this.probing && !this.config.timeoutExplicit ? this.config.timeoutMs / 2 : this.config.timeoutMs;
    try {
      const res = await this.fetchImpl(this.config.endpoint + path, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect would carry the session token elsewhere; IMDS never redirects.
        redirect: "error",
      });
      const body = await res.text();
      this.probing = false;
      this.debug(`imds: ${method} ${path} -> ${res.status} (${Date.now() - started} ms)`);
      return { kind: "response", status: res.status, body };
    } catch (err) {
      const outcome = classify(err, timeoutMs);
      this.debug(`imds: ${method} ${path} -> ${outcome.kind === "error" ? outcome.code : "timeout"} (${Date.now() - started} ms)`);
      return outcome;
    }
  }

  private unreachable(outcome: Exclude<Outcome, { kind: "response" }>): NoCredentialsError {
    const why = outcome.kind === "timeout" ? `no answer within ${outcome.waitedMs} ms` : outcome.code;
    return new NoCredentialsError(`IMDS could not be reached at ${this.config.endpoint} (${why})`, {
      hint: "not on EC2? use --source env with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set, or point AWS_EC2_METADATA_SERVICE_ENDPOINT at a metadata service",
    });
  }
}

function classify(err: unknown, waitedMs: number): Outcome {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return { kind: "timeout", waitedMs };
  const code = e?.cause?.code ?? e?.cause?.message ?? e?.name ?? "network error";
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT") return { kind: "timeout", waitedMs };
  return { kind: "error", code };
}
