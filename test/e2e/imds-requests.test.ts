/**
 * What the CLI asks IMDS, counted by the sandbox per "METHOD PATH": only what every IMDS serves (token,
 * role listing, role credentials), plus instance-id, placement/region and iam/info only when the chain
 * needs them. Never the instance identity document when those answer.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, shQuote, bashEnvAfter } from "../helpers/cli.js";
import { identityOf, useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const INSTANCE = "i-0123456789abcdef0";
const sandbox = useSandbox();

const ALWAYS = {
  "PUT /latest/api/token": 1,
  "GET /latest/meta-data/iam/security-credentials/": 1,
  "GET /latest/meta-data/iam/security-credentials/ExampleRole": 1,
};
const INSTANCE_ID = { "GET /latest/meta-data/instance-id": 1 };
const REGION = { "GET /latest/meta-data/placement/region": 1 };
const IAM_INFO = { "GET /latest/meta-data/iam/info": 1 };

const assumeRequests = () => sandbox().requests.filter((r) => r.action === "AssumeRole");
/** The sandbox's env without AWS_REGION: no region configured anywhere (fresh HOME, no profile). */
const noRegion = () => ({ ...sandbox().env(), AWS_REGION: undefined });

describe("IMDS requests by what the chain needs", () => {
  it("full ARNs, region set, fixed session name: token and two GETs, nothing else", async () => {
    const r = await runCli([HOP1, HOP2, "-n", "nightly"], sandbox().env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual(ALWAYS);
    expect(assumeRequests().map((h) => [h.params.RoleArn, h.params.RoleSessionName])).toEqual([
      [HOP1, "nightly"],
      [HOP2, "nightly"],
    ]);
  });

  it("the default session name ({instanceId}) adds meta-data/instance-id, once for both hops", async () => {
    const r = await runCli([HOP1, HOP2], sandbox().env());
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual({ ...ALWAYS, ...INSTANCE_ID });
    expect(assumeRequests().map((h) => h.params.RoleSessionName)).toEqual([INSTANCE, INSTANCE]);
  });

  it("no region configured adds placement/region, and that region is exported and used", async () => {
    const r = await runCli([HOP1, "-n", "nightly"], noRegion());
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual({ ...ALWAYS, ...REGION });
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv(noRegion()));
    expect(vars.AWS_REGION).toBe("us-east-1");
    expect(vars.AWS_DEFAULT_REGION).toBe("us-east-1");
  });

  it("a region from AWS_DEFAULT_REGION or a profile also keeps placement/region from being asked", async () => {
    const r = await runCli([HOP1, "-n", "nightly"], { ...noRegion(), AWS_DEFAULT_REGION: "eu-west-1" });
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual(ALWAYS);
    expect(r.stdout).toContain("export AWS_REGION='eu-west-1'");

    sandbox().resetCounts();
    const home = mkdtempSync(join(tmpdir(), "assume-role-home-"));
    mkdirSync(join(home, ".aws"));
    const profile = `[profile ec2]\nrole_arn = ${HOP1}\ncredential_source = Ec2InstanceMetadata\nrole_session_name = nightly\nregion = eu-central-1\n`;
    writeFileSync(join(home, ".aws", "config"), profile);
    const p = await runCli(["--profile", "ec2"], { ...noRegion(), HOME: home });
    expect(p.stderr).toBe("");
    expect(p.code).toBe(0);
    expect(sandbox().counts.imds).toEqual(ALWAYS);
    expect(p.stdout).toContain("export AWS_REGION='eu-central-1'");
  });

  it("a bare role name adds iam/info, whose InstanceProfileArn gives the account (no GetCallerIdentity)", async () => {
    const r = await runCli(["ExampleAssumedRole", "-n", "nightly"], sandbox().env());
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual({ ...ALWAYS, ...IAM_INFO });
    expect(assumeRequests().map((h) => h.params.RoleArn)).toEqual([HOP1]);
    expect(sandbox().counts.sts.GetCallerIdentity).toBeUndefined();
  });

  it("everything at once: defaults, no region, a bare name — the independent requests are asked together", async () => {
    // Every answer 50 ms after its request: answers come back in the order the requests went out, give or take a turn.
    sandbox().setFaults({ latencyMs: 50 });
    const r = await runCli(["ExampleAssumedRole", HOP2, "-v"], noRegion());
    expect(r.code).toBe(0);
    expect(sandbox().counts.imds).toEqual({ ...ALWAYS, ...INSTANCE_ID, ...REGION, ...IAM_INFO });
    // -v shows the answers in order: the three facts were asked alongside the role listing, before the credentials.
    const order = [...r.stderr.matchAll(/imds: (?:GET|PUT) (\S+) ->/g)].map((m) => m[1]);
    expect(order).toHaveLength(6);
    expect(order.indexOf("/latest/meta-data/iam/security-credentials/ExampleRole")).toBe(order.length - 1);
  });
});

describe("an IMDS without the instance identity document (moto, other emulators)", () => {
  it("full role ARNs work, with the default session name and no region configured", async () => {
    sandbox().setFaults({ imdsNoIdentityDocument: true });
    const r = await runCli([HOP1, HOP2], noRegion());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv(noRegion()));
    expect(await identityOf(sandbox(), vars)).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`);
    expect(sandbox().counts.imds["GET /latest/dynamic/instance-identity/document"]).toBeUndefined();
  });

  it("a bare name takes iam/info's account", async () => {
    sandbox().setFaults({ imdsNoIdentityDocument: true });
    const r = await runCli(["ExampleAssumedRole"], sandbox().env());
    expect(r.code).toBe(0);
    expect(assumeRequests().map((h) => h.params.RoleArn)).toEqual([HOP1]);
    expect(sandbox().counts.imds["GET /latest/meta-data/iam/info"]).toBe(1);
    expect(sandbox().counts.sts.GetCallerIdentity).toBeUndefined();
  });
});
