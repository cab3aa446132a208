/**
 * src/commands/sdk-preloader.ts: when the STS clients of hops sent before their caller answered may be made. An
 * IMDS chain's clients wait for the SDK and then for IMDS's next request to be out (so that no IMDS answer waits
 * behind them); another source's clients follow the SDK.
 */
import { describe, expect, it } from "vitest";
import { sdkPreloader } from "../../src/commands/sdk-preloader.js";

/** Lets the preloader's queued work (two turns of the event loop per piece, and the SDK's import) run. */
async function settle(): Promise<void> {
  await import("../../src/sts/sts-sdk.js");
  for (let i = 0; i < 6; i++) await new Promise((resolve) => setImmediate(resolve));
}

function watch(p: Promise<void>): () => boolean {
  let done = false;
  void p.then(() => (done = true));
  return () => done;
}

describe("sdkPreloader", () => {
  it("IMDS: the clients wait for the SDK, then for the next IMDS request to be out", async () => {
    const preload = sdkPreloader(true);
    const released = watch(preload.clientsMayStart());
    preload.requested(); // the token
    preload.start();
    await settle();
    expect(released()).toBe(false); // the SDK waits for the first answer
    preload.answered();
    preload.requested(); // the role listing, sent before the SDK has loaded
    await settle();
    expect(released()).toBe(false);
    preload.answered();
    preload.requested(); // the credentials
    await settle();
    expect(released()).toBe(true);
  });

  it("another source: the clients follow the SDK", async () => {
    const preload = sdkPreloader(false);
    const released = watch(preload.clientsMayStart());
    await settle();
    expect(released()).toBe(false); // nothing goes to the network: nothing loads
    preload.start();
    await settle();
    expect(released()).toBe(true);
  });
});
