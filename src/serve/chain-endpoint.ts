import { UsageError } from "../errors.js";
import type { ChainResult } from "../types.js";
import { CredentialRefresher, servable, type ServedCredentials } from "./credential-refresher.js";
import { newAuthToken, startCredentialServer } from "./credential-server.js";
import { isoMillis } from "../iso-seconds.js";

export interface ChainEndpointOptions {
  /** The chain's first result (already resolved, so usage and access errors surface before serving). */
  readonly first: ChainResult;
  /** Runs the chain again, bypassing cached credentials. */
  readonly rerun: () => Promise<ChainResult>;
  readonly now: () => Date;
  /** Every secret the endpoint hands out or requires is registered here (stderr redaction). */
  readonly protectSecret: (secret: string) => void;
  readonly warn: (line: string) => void;
  readonly debug: (line: string) => void;
  /** `exec --refresh` or `serve`, for messages. */
  readonly command: string;
}

export interface ChainEndpoint {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** A loopback container-credentials endpoint that serves the chain's credentials and re-runs it before expiry. */
export async function startChainEndpoint(opts: ChainEndpointOptions): Promise<ChainEndpoint> {
  const refresher = chainRefresher(opts);
  const token = newAuthToken();
  opts.protectSecret(token);
  const server = await startCredentialServer({ token, answer: () => refresher.credentials() });
  opts.debug(`${opts.command}: credential endpoint at ${server.url}`);
  return { url: server.url, token, close: () => server.close() };
}

/** The chain's credentials, renewed by re-running it before they expire (what every endpoint serves). */
export function chainRefresher(opts: Omit<ChainEndpointOptions, "protectSecret">): CredentialRefresher {
  const toServed = (result: ChainResult): ServedCredentials => served(result, opts.now(), opts.command);
  return new CredentialRefresher({
    initial: toServed(opts.first),
    renew: async () => toServed(await opts.rerun()),
    now: opts.now,
    onFailure: (message) => opts.warn(`${opts.command}: could not renew the credentials (serving the old ones while valid): ${message}`),
    onRenewed: (c) => opts.debug(`${opts.command}: renewed the credentials; they expire at ${isoMillis(c.expiration)}`),
  });
}

/**
 * The final credentials of a run as the endpoint serves them. The lifetime is what the last hop asked
 * for, or less when STS gave less (a cached or shortened session), so the renewal window fits it.
 */
function served(result: ChainResult, now: Date, command: string): ServedCredentials {
  const c = result.credentials;
  const remaining = c.expiration === undefined ? 0 : (c.expiration.getTime() - now.getTime()) / 1000;
  const asked = result.hops.at(-1)?.durationSeconds ?? remaining;
  const out = servable(c, Math.max(0, Math.min(asked, remaining)));
  if (out === undefined) {
    throw new UsageError(`${command}: the source gave long-term keys, which cannot be served or renewed as temporary credentials`, {
      hint: "name a ROLE to assume (the endpoint serves and renews its session), or run without --refresh",
    });
  }
  return out;
}
