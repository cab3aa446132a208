/**
 * The cache is keyed by the plan and local facts alone, so a hit needs neither IMDS nor STS: observed by
 * stopping the sandbox between two runs of the built CLI.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { runCli } from "../helpers/cli.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";

describe("a cache hit with IMDS and STS gone", () => {
  it("answers from the cache: same exports, exit 0, nothing on stderr", async () => {
    const cache = mkdtempSync(join(tmpdir(), "assume-role-xdg-"));
    const sandbox = await startSandbox();
    const env = { ...sandbox.env(), XDG_CACHE_HOME: cache };
    const first = await runCli([HOP1, HOP2], env);
    expect([first.code, first.stderr]).toEqual([0, ""]);
    await sandbox.close();
    const offline = await runCli([HOP1, HOP2], env);
    expect([offline.code, offline.stderr]).toEqual([0, ""]);
    expect(offline.stdout).toBe(first.stdout);
    // The region came from IMDS on the first run; the entry remembers it.
    expect(offline.stdout).toContain("export AWS_REGION='us-east-1'");
    // Without the cache the same run needs IMDS, which is gone: exit 3.
    const uncached = await runCli([HOP1, HOP2, "--no-cache"], env);
    expect(uncached.code).toBe(3);
    expect(uncached.stdout).toBe("");
  });

  it("--refresh goes to the network even when the cache could answer", async () => {
    const cache = mkdtempSync(join(tmpdir(), "assume-role-xdg-"));
    const sandbox = await startSandbox();
    const env = { ...sandbox.env(), XDG_CACHE_HOME: cache };
    expect((await runCli([HOP1], env)).code).toBe(0);
    sandbox.resetCounts();
    const refreshed = await runCli([HOP1, "--refresh"], env);
    expect(refreshed.code).toBe(0);
    expect(sandbox.counts.sts.AssumeRole).toBe(1);
    await sandbox.close();
    expect((await runCli([HOP1, "--refresh"], env)).code).toBe(3);
  });
});

describe("connections of a cold chain", () => {
  it("one IMDS connection and one STS connection serve every request of a two-hop chain (keep-alive, shared by the hops)", async () => {
    const sandbox = await startSandbox();
    try {
      const r = await runCli([HOP1, HOP2, "--no-cache"], sandbox.env());
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(sandbox.counts.sts.AssumeRole).toBe(2);
      const imdsRequests = Object.values(sandbox.counts.imds).reduce((a, b) => a + b, 0);
      expect(imdsRequests).toBeGreaterThanOrEqual(3);
      // The chain's independent IMDS requests may open a few connections at once; STS requests are serial.
      expect(sandbox.connections().sts).toBe(1);
      expect(sandbox.connections().imds).toBeLessThan(imdsRequests);
    } finally {
      await sandbox.close();
    }
  });
});
