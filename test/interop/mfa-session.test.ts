/**
 * Interop for the MFA session (issue 10): the AWS CLI uses the role credentials a chain through an MFA session
 * exported, for two roles with one code; and the AWS CLI itself calls the sandbox's GetSessionToken and assumes the
 * MFA-protected role with that session, so the sandbox's answer is one an independent client reads and accepts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";
import { awsCli, bash, evalLine, reportSkip } from "../fixtures/interop/tools.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const EXAMPLE = "arn:aws:iam::123456789012:role/ExampleAssumedRole";

const aws = awsCli();
const skip = reportSkip(aws);
const sandbox = useSandbox();

describe(`the AWS CLI and the MFA session (${aws.detail})`, () => {
  it.skipIf(skip)("one code, two roles: `aws sts get-caller-identity` after each eval names the role", async () => {
    const files = profileFiles(
      `[profile alice]\nmfa_serial = ${SERIAL}\n[profile mfa]\nrole_arn = ${MFA_ROLE}\nsource_profile = alice\n[profile example]\nrole_arn = ${EXAMPLE}\nsource_profile = alice\n`,
      keysSection("alice", sandbox().userKeys("alice")),
    );
    const env = cleanEnv({ ...sandbox().env(), ...files, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "assume-role-interop-")) });
    const script = [
      evalLine(["--profile", "mfa", "--mfa-token", "123456"]),
      "aws sts get-caller-identity --query Arn --output text",
      // The second role with no code: the MFA session comes from the cache.
      evalLine(["--profile", "example"]),
      "aws sts get-caller-identity --query Arn --output text",
    ].join("\n");
    const r = await bash(script, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [first, second] = r.stdout.trim().split("\n");
    expect(first).toMatch(/^arn:aws:sts::222222222222:assumed-role\/MfaRole\//);
    expect(second).toMatch(/^arn:aws:sts::123456789012:assumed-role\/ExampleAssumedRole\//);
    expect(sandbox().requests.filter((q) => q.action === "GetSessionToken")).toHaveLength(1);
  });

  it.skipIf(skip)("`aws sts get-session-token` against the sandbox, then `aws sts assume-role` MfaRole with that session", async () => {
    const keys = sandbox().userKeys("alice");
    const env = cleanEnv({ ...sandbox().env(), AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    const script = [
      "set -e",
      `read -r AKID SECRET TOKEN <<<"$(aws sts get-session-token --serial-number ${SERIAL} --token-code 123456 --duration-seconds 900 --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)"`,
      'AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TOKEN aws sts assume-role --role-arn ' + MFA_ROLE + " --role-session-name cli --query AssumedRoleUser.Arn --output text",
    ].join("\n");
    const r = await bash(script, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("arn:aws:sts::222222222222:assumed-role/MfaRole/cli");
    expect(sandbox().requests.map((q) => [q.action, q.status, q.params.DurationSeconds])).toEqual([
      ["GetSessionToken", 200, "900"],
      ["AssumeRole", 200, undefined],
    ]);
  });
});
