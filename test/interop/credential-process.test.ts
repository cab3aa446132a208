/**
 * Interop: botocore runs assume-role as a `credential_process` (version 1 JSON on stdout) from a
 * profile in AWS_CONFIG_FILE. botocore passes its own environment to the child, so the sandbox
 * variables (IMDS endpoint, AWS_ENDPOINT_URL_STS, AWS_REGION) reach the CLI.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, shQuote } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { bash, callerIdentityCommand, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";

const python = pythonBoto();
const skip = reportSkip(python);
const sandbox = useSandbox();

/** A config file with one profile whose credential_process runs the built CLI with `args`. */
function configWith(profile: string, args: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "assume-role-interop-config-"));
  const file = join(dir, "config");
  // botocore splits the command with shlex (POSIX rules), so shell single quotes protect the paths.
  const command = [process.execPath, BIN, ...args].map(shQuote).join(" ");
  // botocore 1.43 reads the region from AWS_DEFAULT_REGION or the profile, not AWS_REGION (which
  // the sandbox env sets for assume-role itself), so the profile names it as a user's would.
  writeFileSync(file, `[profile ${profile}]\nregion = us-east-1\ncredential_process = ${command}\n`, { mode: 0o600 });
  return file;
}

describe(`botocore runs assume-role as credential_process (${python.detail})`, () => {
  it.skipIf(skip)("boto3.Session(profile_name='chain') signs as the last role of the chain", async () => {
    const config = configWith("chain", [HOP1, HOP2, "--format", "process"]);
    const r = await bash(callerIdentityCommand("chain"), cleanEnv({ ...sandbox().env(), AWS_CONFIG_FILE: config }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ Arn: FINAL_ARN, Account: "222222222222", method: "custom-process", region: "us-east-1" });
    const hops = sandbox().requests.filter((q) => q.action === "AssumeRole");
    expect(hops.map((q) => [q.params.RoleArn, q.status])).toEqual([
      [HOP1, 200],
      [HOP2, 200],
    ]);
  });

  it.skipIf(skip)("selected with AWS_PROFILE=chain: the child inherits AWS_PROFILE and still answers (no recursion into its own profile)", async () => {
    // The usual way to pick the profile. botocore hands its whole environment, AWS_PROFILE=chain
    // included, to the credential_process child; a CLI that resolved AWS_PROFILE itself would run
    // the same credential_process again and never finish (hence the timeout).
    const config = configWith("chain", [HOP1, HOP2, "--format", "process"]);
    const env = cleanEnv({ ...sandbox().env(), AWS_CONFIG_FILE: config, AWS_PROFILE: "chain" });
    const r = await bash(`timeout -k 1 20 ${callerIdentityCommand()}`, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Arn).toBe(FINAL_ARN);
    expect(JSON.parse(r.stdout).method).toBe("custom-process");
  });

  it.skipIf(skip)("a failing chain makes botocore report the process error, with nothing parsed from stdout", async () => {
    // ExampleRole (the instance role) is not trusted by CrossAccountRole: the first hop is denied.
    const config = configWith("denied", [HOP2, "--format", "process"]);
    const r = await bash(callerIdentityCommand("denied"), cleanEnv({ ...sandbox().env(), AWS_CONFIG_FILE: config }));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    // botocore quotes the child's stderr in its CredentialRetrievalError.
    expect(r.stderr).toContain("CredentialRetrievalError");
    expect(r.stderr).toContain("assume-role: access denied:");
    expect(r.stderr).toContain("hint:");
  });
});
