/**
 * Interop: after `eval "$(assume-role A B)"`, `assume-role whoami --json` (no ROLE: the environment's credentials)
 * says what independent clients say of the same environment: the AWS CLI's `aws sts get-caller-identity` and
 * botocore's GetCallerIdentity. All run in one bash process, as in a user's shell.
 */
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, shQuote } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { awsCli, bash, callerIdentityCommand, evalLine, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const WHOAMI = [process.execPath, BIN, "whoami", "--json"].map(shQuote).join(" ");

const cli = awsCli();
const python = pythonBoto();
const skipCli = reportSkip(cli);
const skipPython = reportSkip(python);
const sandbox = useSandbox();

/** Two JSON documents printed one after the other. */
function twoDocuments(stdout: string): [Record<string, unknown>, Record<string, unknown>] {
  const split = stdout.indexOf("\n}\n") + 3;
  return [JSON.parse(stdout.slice(0, split)), JSON.parse(stdout.slice(split))];
}

describe(`whoami agrees with independent clients on the eval'd environment`, () => {
  it.skipIf(skipCli)(`the AWS CLI (${cli.detail}): same Account, Arn and UserId`, async () => {
    const script = ["set -e", evalLine(["--no-cache", HOP1, HOP2]), WHOAMI, "aws sts get-caller-identity --output json"].join("\n");
    const r = await bash(script, cleanEnv({ ...sandbox().env(), AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" }));
    expect(r.code, r.stderr).toBe(0);
    const [ours, theirs] = twoDocuments(r.stdout);
    expect({ Account: ours.Account, Arn: ours.Arn, UserId: ours.UserId }).toEqual(theirs);
    expect(ours).toMatchObject({ Arn: FINAL_ARN, MadeBy: { Source: "imds", Roles: [HOP1, HOP2] } });
  });

  it.skipIf(skipPython)(`botocore (${python.detail}): same Account and Arn`, async () => {
    const script = ["set -e", evalLine(["--no-cache", HOP1, HOP2]), WHOAMI, callerIdentityCommand()].join("\n");
    const r = await bash(script, cleanEnv(sandbox().env()));
    expect(r.code, r.stderr).toBe(0);
    const [ours, theirs] = twoDocuments(r.stdout);
    expect([ours.Account, ours.Arn]).toEqual([theirs.Account, theirs.Arn]);
    expect(theirs.method).toBe("env");
    expect(ours.Arn).toBe(FINAL_ARN);
  });
});
