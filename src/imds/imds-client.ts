import { BadAnswerError, NetworkError, NoCredentialsError } from "../errors.js";
import type { ImdsConfig } from "./imds-config.js";
import type { ImdsHttpOutcome, ImdsRequest } from "./imds-http.js";
import { loadStretch } from "../net/load-stretch.js";

export const TOKEN_PATH = "/latest/api/token";
const TOKEN_TTL_SECONDS = "21600";
/** An IMDSv2 token is an opaque header value: printable, no spaces, well under 1 KiB (EC2's are ~56 base64 chars). */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/** IMDS answered, but not 200: exit 3, with what the status means on EC2. */
export class ImdsHttpError extends NoCredentialsError {
  override name = "ImdsHttpError";
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


/**
 * Once IMDS has answered in this run, a request that gets no answer is a saturated host, not a missing
 * IMDS: it is tried again, waiting this many times the timeout (bounded: 1 + 2 + 4 timeouts at most).
 */
const LOAD_RETRY_FACTORS: readonly number[] = [2, 4];

/** Before IMDS has answered, a timeout cannot tell a slow IMDS from none: on a saturated host it stretches (net/load-stretch.ts). */

/**
 * IMDSv2 client on an injected transport (node:http in the CLI): one token per process, v1 fallback only
 * where the SDKs fall back (403/404/405 on the token PUT, or no answer to it), explicit timeouts. The SDK's
 * metadata packages are not used: they ignore AWS_METADATA_SERVICE_TIMEOUT and have no default timeout.
 */
export class ImdsClient {
  private token: Promise<string | undefined> | undefined;
  /**
   * After a token PUT that got no answer, v1 GETs wait half the default timeout until IMDS answers, so that off
   * EC2 we fail in ~1.5 s. An explicit AWS_METADATA_SERVICE_TIMEOUT is always honoured in full.
   */
  private probing = false;
  /** IMDS has answered (any HTTP status) in this run: from then on a timeout is load, not absence. */
  private answered = false;
  private stretch: number | undefined;
  /** Why there is no session token, when IMDS gave none and the client fell back to IMDSv1. */
  private noToken: NoToken | undefined;

  constructor(
    private readonly config: ImdsConfig,
    private readonly send: ImdsRequest,
    private readonly debug: (line: string) => void = () => {},
    /** Wall time / CPU time of this process so far (>= 1); see net/load-stretch.ts. */
    private readonly slowdown: () => number = () => 1,
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
    if (outcome.kind !== "response") throw this.unreachable(outcome, path);
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

  /** Whether IMDS issued a session token (asking for one if not yet asked); throws where get() would. */
  async tokenState(): Promise<TokenState> {
    const token = await this.sessionToken();
    return token !== undefined ? { issued: true } : { issued: false, ...(this.noToken ?? { unanswered: false, reason: "no token" }) };
  }

  /** Why IMDS gave no session token, once a token PUT went without one (also when IMDSv1 is disabled and get() fails). */
  get missingToken(): NoToken | undefined {
    return this.noToken;
  }

  /** IMDS has answered some request (any HTTP status) in this run. */
  get hasAnswered(): boolean {
    return this.answered;
  }

  /** One GET without a session token, as an IMDSv1 client sends it: the raw outcome (whether v2 is enforced). */
  getWithoutToken(path: string): Promise<ImdsHttpOutcome> {
    return this.request("GET", path, undefined);
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
    if (outcome.kind === "error" || outcome.kind === "oversized") throw this.unreachable(outcome, TOKEN_PATH);
    const reason = outcome.kind === "timeout" ? "no answer" : `HTTP ${outcome.status}`;
    const fallsBack = outcome.kind === "timeout" || [403, 404, 405].includes(outcome.status);
    if (!fallsBack) {
      throw new NoCredentialsError(`IMDS at ${this.config.endpoint} refused the session-token request (${reason})`);
    }
    this.noToken = { unanswered: outcome.kind === "timeout", reason };
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

  private async request(method: "GET" | "PUT", path: string, token: string | undefined): Promise<ImdsHttpOutcome> {
    let last: ImdsHttpOutcome = { kind: "timeout", waitedMs: 0 };
    for (let attempt = 1; attempt <= this.config.attempts; attempt++) {
      last = await this.once(method, path, token, this.timeoutMs());
      if (isFinal(last)) return last;
    }
    for (const factor of LOAD_RETRY_FACTORS) {
      if (last.kind !== "timeout" || !this.answered) break;
      this.debug(`imds: ${method} ${path} got no answer although IMDS answered before; trying again with ${factor}x the timeout`);
      last = await this.once(method, path, token, this.baseTimeoutMs() * factor);
      if (isFinal(last)) return last;
    }
    return last;
  }

  private timeoutMs(): number {
    return this.probing && !this.config.timeoutExplicit ? Math.round(this.baseTimeoutMs() / 2) : this.baseTimeoutMs();
  }

  /** AWS_METADATA_SERVICE_TIMEOUT as given; the default, stretched on a saturated host. */
  private baseTimeoutMs(): number {
    if (this.config.timeoutExplicit) return this.config.timeoutMs;
    if (this.stretch === undefined) {
      const slowdown = this.slowdown();
      this.stretch = loadStretch(slowdown);
      if (this.stretch > 1) {
        this.debug(`imds: this process ran ${slowdown.toFixed(1)}x slower than its CPU time (saturated host): timeouts x${this.stretch.toFixed(1)}`);
      }
    }
    return Math.round(this.config.timeoutMs * this.stretch);
  }

  private async once(method: "GET" | "PUT", path: string, token: string | undefined, timeoutMs: number): Promise<ImdsHttpOutcome> {
    const headers: Record<string, string> =
      method === "PUT" ? { "x-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS } : {};
    if (token !== undefined) headers["x-aws-ec2-metadata-token"] = token;
    const started = Date.now();
    const outcome = await this.send({ method, url: this.config.endpoint + path, headers, timeoutMs });
    if (outcome.kind === "response") {
      this.probing = false;
      this.answered = true;
    }
    this.debug(`imds: ${method} ${path} -> ${describe(outcome)} (${Date.now() - started} ms)`);
    return outcome;
  }

  private unreachable(outcome: Exclude<ImdsHttpOutcome, { kind: "response" }>, path: string): NoCredentialsError | NetworkError {
    if (outcome.kind === "oversized") {
      return new NetworkError(
        `IMDS at ${this.config.endpoint} answered ${path} with more than ${outcome.limitBytes} bytes: not a metadata service answer`,
        { hint: "is AWS_EC2_METADATA_SERVICE_ENDPOINT an EC2 metadata service?" },
      );
    }
    const why = outcome.kind === "timeout" ? `no answer within ${outcome.waitedMs} ms` : outcome.code;
    return new NoCredentialsError(`IMDS could not be reached at ${this.config.endpoint} (${why})`, {
      hint: "not on EC2? use --source env with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set, or point AWS_EC2_METADATA_SERVICE_ENDPOINT at a metadata service",
    });
  }
}

/** Why IMDS gave no session token: no answer to the PUT (`unanswered`), or its HTTP status. */
export interface NoToken {
  readonly unanswered: boolean;
  readonly reason: string;
}

export type TokenState = { readonly issued: true } | ({ readonly issued: false } & NoToken);

/** A 2xx-4xx answer, a connection error or an oversized body ends a request; 5xx and timeouts may be retried. */
function isFinal(outcome: ImdsHttpOutcome): boolean {
  return (outcome.kind === "response" && outcome.status < 500) || outcome.kind === "error" || outcome.kind === "oversized";
}

function describe(outcome: ImdsHttpOutcome): string {
  switch (outcome.kind) {
    case "response":
      return String(outcome.status);
    case "timeout":
      return "timeout";
    case "oversized":
      return `body over ${outcome.limitBytes} bytes`;
    case "error":
      return outcome.code;
  }
}
