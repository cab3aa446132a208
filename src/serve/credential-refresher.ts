import type { Credentials } from "../types.js";

/** Credentials an endpoint may serve: temporary, so they carry a token and an expiration. */
export interface ServedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** How long these credentials were issued for (seconds); sizes the renewal window. */
  readonly lifetimeSeconds: number;
}

export type RefresherAnswer =
  | { readonly ok: true; readonly credentials: ServedCredentials }
  | { readonly ok: false; readonly message: string };

/**
 * Renew when less than this remains. botocore refreshes when fewer than 15 minutes remain (the JS SDK
 * at 5): a client must never be handed credentials already inside its own window, or it would come
 * back for new ones on every call. One minute above botocore's window covers the time in transit.
 */
export const MAX_RENEW_WINDOW_SECONDS = 16 * 60;
/** Below this much life left, a request waits for the renewal instead of getting the old credentials. */
const BACKGROUND_RENEWAL_MS = 2 * 60 * 1000;
/** A failed renewal is not retried before this (the clients retry every second or so). */
export const RETRY_AFTER_FAILURE_SECONDS = 10;

export interface RefresherOptions {
  readonly initial: ServedCredentials;
  /** Runs the chain again (never from a cache entry inside the window). */
  readonly renew: () => Promise<ServedCredentials>;
  readonly now: () => Date;
  /** One line per failed renewal; the message names no secret (CliError messages never do). */
  readonly onFailure: (message: string) => void;
  readonly onRenewed?: ((c: ServedCredentials) => void) | undefined;
  readonly maxWindowSeconds?: number | undefined;
  readonly retryAfterFailureSeconds?: number | undefined;
}

/**
 * Holds the served credentials and renews them before they expire: when less than the window is
 * left (16 minutes, or a third of the lifetime for shorter sessions, so a 15-minute session is not
 * renewed on every request). Concurrent requests share one renewal. A failed renewal is logged and
 * the old credentials are served while they are still valid; after that, requests get an error.
 */
export class CredentialRefresher {
  readonly #opts: RefresherOptions;
  #current: ServedCredentials;
  #renewing: Promise<void> | undefined;
  #failedAt: number | undefined;
  #lastFailure: string | undefined;

  constructor(opts: RefresherOptions) {
    this.#opts = opts;
    this.#current = opts.initial;
  }

  /** Seconds before expiry at which credentials are renewed. */
  static windowSeconds(c: ServedCredentials, maxWindowSeconds = MAX_RENEW_WINDOW_SECONDS): number {
    return Math.min(maxWindowSeconds, c.lifetimeSeconds / 3);
  }

  async credentials(): Promise<RefresherAnswer> {
    if (this.#remainingMs() > this.#windowMs()) return { ok: true, credentials: this.#current };
    const retryAfterMs = (this.#opts.retryAfterFailureSeconds ?? RETRY_AFTER_FAILURE_SECONDS) * 1000;
    const mayRetry = this.#failedAt === undefined || this.#opts.now().getTime() - this.#failedAt >= retryAfterMs;
    const renewal = this.#renewing ?? (mayRetry ? this.#renewOnce() : undefined);
    // Clients time out after about a second: while the current credentials still have a while to live,
    // answer with them at once and let the renewal finish in the background.
    if (renewal !== undefined && this.#remainingMs() > BACKGROUND_RENEWAL_MS) return { ok: true, credentials: this.#current };
    if (renewal !== undefined) await renewal;
    if (this.#remainingMs() > 0) return { ok: true, credentials: this.#current };
    return {
      ok: false,
      message: `the credentials expired and could not be renewed: ${this.#lastFailure ?? "unknown error"}`,
    };
  }

  #remainingMs(): number {
    return this.#current.expiration.getTime() - this.#opts.now().getTime();
  }

  #windowMs(): number {
    return CredentialRefresher.windowSeconds(this.#current, this.#opts.maxWindowSeconds) * 1000;
  }

  #renewOnce(): Promise<void> {
    this.#renewing ??= this.#opts
      .renew()
      .then(
        (fresh) => {
          this.#current = fresh;
          this.#failedAt = undefined;
          this.#lastFailure = undefined;
          this.#opts.onRenewed?.(fresh);
        },
        (err: unknown) => {
          this.#failedAt = this.#opts.now().getTime();
          this.#lastFailure = err instanceof Error ? err.message : String(err);
          this.#opts.onFailure(this.#lastFailure);
        },
      )
      .finally(() => {
        this.#renewing = undefined;
      });
    return this.#renewing;
  }
}

/** Temporary credentials as served, or undefined when they carry no session token or expiration. */
export function servable(c: Credentials, lifetimeSeconds: number): ServedCredentials | undefined {
  if (c.sessionToken === undefined || c.expiration === undefined) return undefined;
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: c.expiration,
    lifetimeSeconds,
  };
}
