/**
 * Interop: a profile written by `--write-profile` is read by independent clients — botocore
 * (`boto3.Session(profile_name=...)`) and the AWS CLI (`--profile`) — which sign a call the sandbox
 * STS verifies and accepts. They find the sandbox through AWS_ENDPOINT_URL_STS, nothing else.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { awsCli, bash, callerIdentityCommand, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const boto = pythonBoto();
const aws = awsCli();
const skipBoto = reportSkip(boto);
const skipAws = reportSkip(aws);
const sandbox = useSandbox();

const dir = mkdtempSync(join(tmpdir(), "assume-role-interop-creds-"));
const credentials = join(dir, "credentials");
const config = join(dir, "config");

/** What a client needs: the files, the sandbox STS endpoint and a region; no AWS_* credentials, IMDS off. */
function clientEnv(): Record<string, string> {
  return cleanEnv({
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  });
}

function lastCallerIdentity() {
  const last = sandbox().requests.filter((q) => q.action === "GetCallerIdentity").at(-1);
  return [last?.callerArn, last?.status];
}

beforeAll(async () => {
  writeFileSync(config, "# no profiles: the written credentials are all the clients have\n");
  writeFileSync(credentials, "# kept\n[other]\naws_access_key_id = AKIAOTHEREXAMPLE0001\naws_secret_access_key = other\n");
  for (const name of ["interop", "interop-cli"]) {
    const r = await runCli([HOP1, HOP2, "--write-profile", name, "--credentials-file", credentials], sandbox().env());
    if (r.code !== 0) throw new Error(`--write-profile ${name} failed: ${r.stderr}`);
  }
});

describe(`botocore reads a written profile (${boto.detail})`, () => {
  it.skipIf(skipBoto)("boto3.Session(profile_name='interop') signs GetCallerIdentity as the last role of the chain", async () => {
    const r = await bash(callerIdentityCommand("interop"), clientEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout);
    expect([id.Arn, id.Account, id.method]).toEqual([FINAL_ARN, "222222222222", "shared-credentials-file"]);
    expect(lastCallerIdentity()).toEqual([FINAL_ARN, 200]);
    expect(readFileSync(credentials, "utf8").startsWith("# kept\n[other]\n")).toBe(true);
  });
});

describe(`the AWS CLI reads a written profile (${aws.detail})`, () => {
  it.skipIf(skipAws)("`aws sts get-caller-identity --profile interop-cli` is accepted by the sandbox", async () => {
    const r = await bash("aws sts get-caller-identity --profile interop-cli --output json", clientEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Arn).toBe(FINAL_ARN);
    expect(lastCallerIdentity()).toEqual([FINAL_ARN, 200]);
  });
});
