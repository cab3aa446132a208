/**
 * Settings the AWS SDK would look up itself, which assume-role now gives every STS client (src/sts/create-sts.ts)
 * so that the SDK reads no file at its first request: the ones a user sets in the environment, AWS_SDK_UA_APP_ID and
 * AWS_RETRY_MODE, still reach STS, as the SDK reports them in its User-Agent header (the app ID as `app/ID`, the retry
 * mode among the `m/` feature IDs: E standard, F adaptive).
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const sandbox = useSandbox();
const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";

describe("the SDK's settings", () => {
  it("AWS_SDK_UA_APP_ID is in the User-Agent of every STS request", async () => {
    const r = await runCli(["--no-cache", HOP1, HOP2], { ...sandbox().env(), AWS_SDK_UA_APP_ID: "deploy-bot" });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const agents = sandbox().requests.map((q) => q.userAgent ?? "");
    expect(agents).toHaveLength(2);
    for (const agent of agents) expect(agent.split(" ")).toContain("app/deploy-bot");
  });

  it("without it, no app ID is sent", async () => {
    const r = await runCli(["--no-cache", HOP1], sandbox().env());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const [agent] = sandbox().requests.map((q) => q.userAgent ?? "");
    expect(agent).toMatch(/aws-sdk-js/);
    expect(agent).not.toMatch(/\bapp\//);
  });

  const features = (agent: string) => (/(?:^| )m\/([\w,]+)/.exec(agent)?.[1] ?? "").split(",");

  it("AWS_RETRY_MODE=adaptive reaches the SDK; without it the mode is standard", async () => {
    const adaptive = await runCli(["--no-cache", HOP1], { ...sandbox().env(), AWS_RETRY_MODE: "adaptive" });
    expect([adaptive.code, adaptive.stderr]).toEqual([0, ""]);
    const standard = await runCli(["--no-cache", HOP1], sandbox().env());
    expect([standard.code, standard.stderr]).toEqual([0, ""]);
    const [first, second] = sandbox().requests.map((q) => features(q.userAgent ?? ""));
    expect([first!.includes("F"), first!.includes("E")]).toEqual([true, false]);
    expect([second!.includes("F"), second!.includes("E")]).toEqual([false, true]);
  });
});
