/**
 * AWS_MAX_ATTEMPTS through the built CLI: a value the AWS SDKs would refuse is exit 8 before any
 * request (as for other bad AWS_* values), and a valid one sets how often a throttled STS call is tried.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const sandbox = useSandbox();
const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";

describe("AWS_MAX_ATTEMPTS", () => {
  it.each(["abc", "0", "-1", "2.5", "3abc", " "])("%j: exit 8 naming the variable and the rule, before any request", async (value) => {
    const r = await runCli([HOP1], { ...sandbox().env(), AWS_MAX_ATTEMPTS: value });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(
      `assume-role: AWS_MAX_ATTEMPTS '${value}': must be a whole number of attempts, 1 or more\n` +
        "  hint: it counts the first try and the retries of each STS call; unset it for the default of 3\n",
    );
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("whoami refuses it the same way", async () => {
    const r = await runCli(["whoami", HOP1], { ...sandbox().env(), AWS_MAX_ATTEMPTS: "many" });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr.split("\n")[0]).toBe("assume-role: AWS_MAX_ATTEMPTS 'many': must be a whole number of attempts, 1 or more");
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("1: a throttled AssumeRole is tried once, then exit 7", async () => {
    sandbox().setFaults({ stsThrottleFirst: 1 });
    const r = await runCli([HOP1], { ...sandbox().env(), AWS_MAX_ATTEMPTS: "1" });
    expect([r.code, r.stdout]).toEqual([7, ""]);
    expect(r.stderr.split("\n")[0]).toBe(`assume-role: STS throttled (Throttling) on AssumeRole ${HOP1} after 1 attempt`);
    expect(sandbox().counts.sts.AssumeRole).toBe(1);
  });

  it("5: four throttled answers, then the fifth attempt succeeds (the default 3 would give up)", async () => {
    sandbox().setFaults({ stsThrottleFirst: 4 });
    const r = await runCli([HOP1, "--format", "json"], { ...sandbox().env(), AWS_MAX_ATTEMPTS: "5" });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(r.stdout).AccessKeyId).toMatch(/^ASIA/);
    expect(sandbox().counts.sts.AssumeRole).toBe(5);
  }, 30_000);
});
