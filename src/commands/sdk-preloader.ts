/**
 * Does the AWS SDK's start-up work (~25 ms of CPU) while the source's requests are on the network, one piece per
 * wait, so that no answer waits behind a piece longer than its wait:
 * 1. node:https (with TLS and crypto, which the SDK's HTTP handler loads first), once the first request is on the wire;
 * 2. the SDK itself, which the bundle compiles in one turn of the event loop and runs in the next
 *    (bin/load-bundle.cjs), and the first calls of what it signs with (sts/sts-sdk.ts warmUp);
 * 3. the STS clients of the hops that are sent before their signer's credentials are in (chain/run-hop.ts): each
 *    builds its client and its request, then waits for the credentials to sign.
 * An IMDS chain asks three things one after the other (the token; the role, with the instance ID beside it; the
 * credentials): the SDK loads in the second wait, and the clients are made in the third, once its request is out.
 * Other sources make one request or none: the SDK follows https at once, and the clients follow the SDK.
 * Each piece loads once; loading is never an error here (whatever fails fails again, and is reported, where the SDK
 * is used).
 */
export interface SdkPreloader {
  /** The chain goes to the network: https now, and the SDK now too unless the source is IMDS. */
  start(): void;
  /** A request to IMDS is on its way (for the source, or for a fact a session name or the region needs). */
  requested(): void;
  /** An answer of IMDS is in. */
  answered(): void;
  /**
   * Settles when the hops' clients may be made without holding back an answer; never, if the source's requests
   * are all out before the SDK is loaded (the hops then wait for their credentials, as they would anyway).
   */
  clientsMayStart(): Promise<void>;
}

/** `imds`: the chain's source is IMDS, whose three requests in a row set the pace (see above). */
export function sdkPreloader(imds: boolean): SdkPreloader {
  let https = false;
  let sdkAsked = false;
  let sdkLoaded = false;
  let release!: () => void;
  const clients = new Promise<void>((resolve) => (release = resolve));
  // Not before the request is on the wire: a new connection writes it only once the poll phase has seen it
  // connect, and an immediate queued now would run before that poll; one queued from that one runs after it.
  const later = (work: () => unknown) => setImmediate(() => setImmediate(work));
  const loadHttps = () => {
    if (https) return;
    https = true;
    later(() => void import("node:https").catch(() => undefined));
  };
  const loadSdk = () => {
    if (sdkAsked) return;
    sdkAsked = true;
    later(() =>
      import("../sts/sts-sdk.js")
        .then(({ warmUp }) => warmUp())
        .then(
          () => {
            sdkLoaded = true;
            if (!imds) release();
          },
          () => undefined,
        ),
    );
  };
  return {
    start() {
      loadHttps();
      if (!imds) loadSdk();
    },
    requested() {
      loadHttps();
      if (sdkLoaded && imds) later(release);
    },
    answered: loadSdk,
    clientsMayStart: () => clients,
  };
}
