/**
 * Interop with moto_server's IMDS, an independent emulator that serves the token, the role listing, the
 * role's credentials, instance-id and placement/region, but neither the instance identity document nor
 * iam/info. moto runs without auth enforcement here: its IMDS hands out fixed keys ("test-key") that its
 * STS would otherwise refuse. botocore then checks, against moto, who the exported credentials are.
 */
import { describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { bash, callerIdentityCommand, evalLine, moto, reportSkip, useMotoWithoutAuth } from "../fixtures/interop/tools.js";

const tool = moto();
const skip = reportSkip(tool);
const FIRST = "arn:aws:iam::123456789012:role/First";
const SECOND = "arn:aws:iam::123456789012:role/Second";

const motoServer = useMotoWithoutAuth(skip);

/** IMDS and STS both at moto; no region configured anywhere. */
function motoEnv(): Record<string, string> {
  return cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: motoServer().url, AWS_ENDPOINT_URL_STS: motoServer().url });
}

describe(`assume-role from moto_server's IMDS (${tool.detail})`, () => {
  it.skipIf(skip)("precondition: moto's IMDS serves credentials but not the identity document nor iam/info", async () => {
    const status = async (path: string) => (await fetch(motoServer().url + path)).status;
    expect(await status("/latest/meta-data/iam/security-credentials/")).toBe(200);
    expect(await status("/latest/dynamic/instance-identity/document")).not.toBe(200);
    expect(await status("/latest/meta-data/iam/info")).not.toBe(200);
  });

  it.skipIf(skip)("a full-ARN chain works: session named after moto's instance, region from placement/region", async () => {
    const script = [evalLine([FIRST, SECOND]), 'printf "%s\\n" "$AWS_REGION"', callerIdentityCommand()].join("\n");
    const r = await bash(script, motoEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [region, identity] = r.stdout.split("\n");
    expect(region).toBe("us-east-1");
    expect(JSON.parse(identity!)).toMatchObject({ Arn: "arn:aws:sts::123456789012:assumed-role/Second/i-fake", method: "env" });
  });

  it.skipIf(skip)("a bare role name works: with no account from IMDS, STS names the caller's account", async () => {
    const script = [evalLine(["-n", "interop", "First"]), 'printf "%s\\n" "$ASSUME_ROLE_ARN"', callerIdentityCommand()].join("\n");
    const r = await bash(script, motoEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [marker, identity] = r.stdout.split("\n");
    expect(marker).toBe(FIRST);
    expect(JSON.parse(identity!).Arn).toBe("arn:aws:sts::123456789012:assumed-role/First/interop");
  });
});
