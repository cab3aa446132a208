/**
 * Loads the AWS SDK (~20 ms of CPU) while the source's requests are on the network, one piece per wait, so that
 * no answer waits behind a piece longer than its wait: node:https (with TLS and crypto, which the SDK's HTTP
 * handler loads first) once the first request is on the wire; then the SDK itself, which the bundle compiles in
 * one turn of the event loop and runs in the next (bin/load-bundle.cjs). An IMDS chain asks three things one
 * after the other, so the SDK waits for the first answer and loads during the second wait; other sources make one
 * request or none, and the SDK follows https at once. Each piece loads once; loading is never an error here
 * (whatever fails fails again, and is reported, where the SDK is used).
 */
export interface SdkPreloader {
  /** The chain goes to the network: https now, and the SDK now too unless it is to wait for the first answer. */
  start(waitForFirstAnswer: boolean): void;
  /** The first answer of the source is in. */
  firstAnswer(): void;
}

export function sdkPreloader(): SdkPreloader {
  let https = false;
  let sdk = false;
  // Not before the request is on the wire: a new connection writes it only once the poll phase has seen it
  // connect, and an immediate queued now would run before that poll; one queued from that one runs after it.
  const later = (load: () => Promise<unknown>) => setImmediate(() => setImmediate(() => void load().catch(() => undefined)));
  const loadSdk = () => {
    if (sdk) return;
    sdk = true;
    later(() => import("../sts/sts-sdk.js"));
  };
  return {
    start(waitForFirstAnswer) {
      if (!https) {
        https = true;
        later(() => import("node:https"));
      }
      if (!waitForFirstAnswer) loadSdk();
    },
    firstAnswer: loadSdk,
  };
}
