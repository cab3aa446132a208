/**
 * Interop: the AssumeRole form fields the CLI sends for session tags, transitive tag keys, source identity and
 * session policies are the ones botocore (an independent AWS client, serialising from AWS's own service model)
 * sends for the same request. moto cannot check this: its STS accepts these fields and drops them.
 * Both requests go to the sandbox, which records each request's form fields, whatever it answers.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, spawnCollect } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { PYTHON, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess";

const python = pythonBoto();
const skip = reportSkip(python);
const sandbox = useSandbox();

/** botocore's AssumeRole with the given keyword arguments (JSON); the sandbox records its fields whatever it answers. */
const BOTOCORE = `
import json, os, sys, botocore.session
from botocore.exceptions import ClientError
client = botocore.session.get_session().create_client("sts", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
try:
    client.assume_role(**json.loads(sys.argv[1]))
except ClientError:
    pass
`;

/** The form fields of a request, without the ones each client fills its own way (name, duration). */
function sessionFields(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !["RoleSessionName", "DurationSeconds"].includes(k)));
}

describe(`session tags and policies on the wire, against botocore (${python.detail})`, () => {
  it.skipIf(skip)("each hop's form fields equal botocore's for the same request (tags, transitive keys, source identity, policies)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-policy-"));
    writeFileSync(join(dir, "policy.json"), POLICY);
    const flags = ["--tag", "Team=ops", "--tag", "Env=prod", "--transitive-tag", "Env", "--source-identity", "alice"];
    // alice may tag sessions and set a source identity (default world), so both hops go through.
    const alice = sandbox().userKeys("alice");
    const keys = { AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey };
    const run = await runCli([...flags, "--policy", join(dir, "policy.json"), "--policy-arn", POLICY_ARN, "--source", "env", HOP1, HOP2, "--no-cache"], {
      ...sandbox().env(),
      ...keys,
    });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const ours = sandbox().requests.filter((q) => q.action === "AssumeRole");
    expect(ours).toHaveLength(2);

    const expected = [
      // hop 1: every tag, the transitive key, source identity; no session policy (that is the last hop's)
      { RoleArn: HOP1, Tags: [{ Key: "Team", Value: "ops" }, { Key: "Env", Value: "prod" }], TransitiveTagKeys: ["Env"], SourceIdentity: "alice" },
      // hop 2: the inherited transitive tag is not sent again; the session policies are
      { RoleArn: HOP2, Tags: [{ Key: "Team", Value: "ops" }], SourceIdentity: "alice", Policy: POLICY, PolicyArns: [{ arn: POLICY_ARN }] },
    ];
    for (const [i, hop] of ours.entries()) {
      sandbox().resetCounts();
      const r = await spawnCollect(
        PYTHON,
        ["-c", BOTOCORE, JSON.stringify({ ...expected[i], RoleSessionName: "botocore" })],
        cleanEnv({ ...sandbox().env(), ...keys }),
      );
      expect(r.stderr).toBe("");
      const theirs = sandbox().requests.filter((q) => q.action === "AssumeRole");
      expect(theirs).toHaveLength(1);
      expect(sessionFields(hop.params)).toEqual(sessionFields(theirs[0]!.params));
    }
  });
});
