/**
 * Interop: botocore/boto3 (an independent AWS client) reads what `eval "$(assume-role ...)"` exports.
 * The CLI and the Python script run in the same bash process, as in a user's shell; the script gets no
 * credentials in code, so it uses whatever the shell environment holds after the eval.
 */
import { describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { bash, callerIdentityCommand, evalLine, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";

const python = pythonBoto();
const skip = reportSkip(python);
const sandbox = useSandbox();

describe(`botocore reads the sh exports (${python.detail})`, () => {
  // --source imds: an explicit source beats AWS_PROFILE for assume-role itself; the point here is what
  // the exports do to the stale AWS_PROFILE the shell still has when botocore runs afterwards.
  it.skipIf(skip)("GetCallerIdentity from the exported environment is the last role of the chain, despite a stale AWS_PROFILE", async () => {
    const script = ["export AWS_PROFILE=nonexistent", evalLine([HOP1, HOP2, "--source", "imds"]), callerIdentityCommand()].join("\n");
    const r = await bash(script, cleanEnv(sandbox().env()));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const identity = JSON.parse(r.stdout);
    expect(identity).toEqual({ Arn: FINAL_ARN, Account: "222222222222", method: "env", region: "us-east-1" });
    // botocore's request reached the sandbox signed with the exported session, not the instance role.
    // The last GetCallerIdentity the sandbox saw is the client's (it runs after the CLI).
    const last = sandbox().requests.filter((q) => q.action === "GetCallerIdentity").at(-1);
    expect([last?.callerArn, last?.status]).toEqual([FINAL_ARN, 200]);
  });

  it.skipIf(skip)("control: the same stale AWS_PROFILE left in place does break botocore (so the unset matters)", async () => {
    // Re-export AWS_PROFILE after the eval: botocore must now fail on the missing profile, which is
    // what a user would hit if assume-role did not unset it.
    const script = ["export AWS_PROFILE=nonexistent", evalLine([HOP1, HOP2, "--source", "imds"]), "export AWS_PROFILE=nonexistent", callerIdentityCommand()].join("\n");
    const r = await bash(script, cleanEnv(sandbox().env()));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("ProfileNotFound");
  });
});
