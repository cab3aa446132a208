/**
 * Interop: the AWS CLI reads what `eval "$(assume-role ...)"` exports, in the same bash process.
 * AWS CLI v1 (botocore >= 1.31) and v2 (>= 2.13) honour AWS_ENDPOINT_URL_STS, which the sandbox env
 * sets, so no --endpoint-url is passed: the CLI finds the sandbox exactly as it finds the exports.
 */
import { describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { awsCli, bash, evalLine, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";

const aws = awsCli();
const skip = reportSkip(aws);
const sandbox = useSandbox();

describe(`the AWS CLI reads the sh exports (${aws.detail})`, () => {
  it.skipIf(skip)("`aws sts get-caller-identity` after the eval prints the last role of the chain", async () => {
    const script = ["export AWS_PROFILE=nonexistent", evalLine([HOP1, HOP2, "--source", "imds"]), "aws sts get-caller-identity --output json"].join("\n");
    const r = await bash(script, cleanEnv(sandbox().env()));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const identity = JSON.parse(r.stdout);
    expect(identity.Arn).toBe(FINAL_ARN);
    expect(identity.Account).toBe("222222222222");
    // The last GetCallerIdentity the sandbox saw is the client's (it runs after the CLI).
    const last = sandbox().requests.filter((q) => q.action === "GetCallerIdentity").at(-1);
    expect([last?.callerArn, last?.status]).toEqual([FINAL_ARN, 200]);
  });

  it.skipIf(skip)("`aws configure list` shows the credentials come from the environment, not a profile", async () => {
    const script = ["export AWS_PROFILE=nonexistent", evalLine([HOP1, HOP2, "--source", "imds"]), "aws configure list"].join("\n");
    const r = await bash(script, cleanEnv(sandbox().env()));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s*access_key\s+\*+\S{4}\s+env\s/m);
    expect(r.stdout).toMatch(/^\s*profile\s+<not set>/m);
    expect(r.stdout).toMatch(/^\s*region\s+us-east-1\s+env\s/m);
  });
});
