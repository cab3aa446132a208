import { afterAll, afterEach, beforeAll } from "vitest";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";

/** One sandbox per test file; faults and counts are reset after each test. */
export function useSandbox(opts: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(opts);
  });
  afterEach(() => {
    sandbox?.setFaults({
      latencyMs: 0,
      stsThrottleFirst: 0,
      sts5xxFirst: 0,
      imdsV1Only: false,
      imdsV2Required: false,
      imdsTokenUnanswered: false,
      imdsDown: false,
    });
    sandbox?.resetCounts();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => {
    if (!sandbox) throw new Error("sandbox not started");
    return sandbox;
  };
}
