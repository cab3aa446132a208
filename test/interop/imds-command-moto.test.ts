/**
 * `assume-role imds` against moto_server, an independent IMDS + STS emulator: it serves the token, the role listing,
 * the credentials, instance-id and placement/region, but no iam/info. What the report says must match what the
 * server serves and what botocore, an independent client reading the same IMDS, is told by STS.
 */
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../helpers/cli.js";
import { bash, callerIdentityCommand, moto, reportSkip, useMotoWithoutAuth } from "../fixtures/interop/tools.js";

const tool = moto();
const skip = reportSkip(tool);
const motoServer = useMotoWithoutAuth(skip);

const text = async (path: string) => (await fetch(motoServer().url + path)).text();

describe(`assume-role imds against moto_server (${tool.detail})`, () => {
  it.skipIf(skip)("reports moto's instance, role and the identity botocore is told, and says iam/info is missing", async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: motoServer().url, AWS_ENDPOINT_URL_STS: motoServer().url, AWS_DEFAULT_REGION: "us-east-1" };
    const r = await runCli(["imds", "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    // botocore, with no keys in the environment, takes the instance role from the same IMDS.
    const boto = await bash(callerIdentityCommand(), cleanEnv(env));
    expect(boto.stderr).toBe("");
    const identity = JSON.parse(boto.stdout);
    expect(identity.method).toBe("iam-role");
    expect(report.Identity.Arn).toBe(identity.Arn);
    expect(report.InstanceId).toBe((await text("/latest/meta-data/instance-id")).trim());
    expect(report.Role).toBe((await text("/latest/meta-data/iam/security-credentials/")).trim());
    expect(report.Region).toBe("us-east-1");
    expect(report.InstanceProfile).toBeNull();
    expect(report.Unavailable.InstanceProfile).toMatch(/iam\/info/);
    expect(report.Credentials.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }, 30_000);
});
