/**
 * Profile sources that run something: credential_process (a fake one, and assume-role itself, with the
 * loop guard) and SSO (no SSO portal here: only the "not logged in" path, which must not touch the network).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { EXAMPLE_ASSUMED, cliProcess, fakeProcess, firstLine, profileFiles } from "../fixtures/profiles/profile-files.js";

const sandbox = useSandbox();
const hops = () => sandbox().requests.filter((r) => r.action === "AssumeRole");

function processConfig(mode: string): string {
  return `
[profile proc]
credential_process = ${fakeProcess(mode)}

[profile proc-role]
role_arn = ${EXAMPLE_ASSUMED}
source_profile = proc
role_session_name = from-process
`;
}

describe("credential_process", () => {
  it("a source profile's credential_process signs the hop; the child learns the profile chain", async () => {
    const keys = sandbox().userKeys("alice");
    const record = join(mkdtempSync(join(tmpdir(), "assume-role-proc-")), "chain");
    const env = { ...sandbox().env(), ...profileFiles(processConfig("keys")), FAKE_PROCESS_KEY_ID: keys.accessKeyId, FAKE_PROCESS_SECRET: keys.secretAccessKey, FAKE_PROCESS_RECORD: record };
    const r = await runCli(["--profile", "proc-role", "--format", "json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.callerArn, h.params.RoleSessionName, h.status])).toEqual([
      [EXAMPLE_ASSUMED, "arn:aws:iam::123456789012:user/alice", "from-process", 200],
    ]);
    expect(readFileSync(record, "utf8")).toBe("proc");
  });

  it("a failing command: exit 3, its last stderr message quoted, never its stdout", async () => {
    const r = await runCli(["--profile", "proc-role"], { ...sandbox().env(), ...profileFiles(processConfig("fail")) });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(firstLine(r.stderr)).toBe("assume-role: credential_process of profile proc exited with status 2: fatal: the token store is locked");
    expect(r.stderr).not.toContain("SECRET-ON-STDOUT");
    expect(hops()).toEqual([]);
  });

  it("a failing command's own text (which may carry a token) is never printed, not even in the hint or with -v", async () => {
    const config = processConfig("fail").replace(/^credential_process = (.*)$/m, "credential_process = $1 --token=TOKEN-IN-THE-COMMAND");
    const r = await runCli(["-v", "--profile", "proc-role"], { ...sandbox().env(), ...profileFiles(config) });
    expect([r.code, r.stdout]).toEqual([3, ""]);
    expect(r.stderr).toContain("hint: run that command yourself to see its output (aws configure get credential_process --profile proc shows it)");
    expect(r.stderr).not.toContain("TOKEN-IN-THE-COMMAND");
  });

  it.each([
    ["expired", "returned expired credentials (Expiration 2001-01-01T00:00:00Z)"],
    ["version2", "printed Version 2: only Version 1 is supported"],
  ])("output %s is refused (exit 3)", async (mode, message) => {
    const r = await runCli(["--profile", "proc"], { ...sandbox().env(), ...profileFiles(processConfig(mode)) });
    expect(r.code).toBe(3);
    expect(firstLine(r.stderr)).toBe(`assume-role: credential_process of profile proc ${message}`);
  });

  it("assume-role as the credential_process of a profile: works when it leads elsewhere", async () => {
    const config = `
[profile via-cli]
credential_process = ${cliProcess(["--profile", "imds-role", "--format", "process"])}

[profile imds-role]
role_arn = ${EXAMPLE_ASSUMED}
credential_source = Ec2InstanceMetadata
`;
    const r = await runCli(["--profile", "via-cli", "arn:aws:iam::222222222222:role/CrossAccountRole"], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.status])).toEqual([
      [EXAMPLE_ASSUMED, 200],
      ["arn:aws:iam::222222222222:role/CrossAccountRole", 200],
    ]);
  });

  it("…and stops a loop: a credential_process that resolves a profile leading back to itself fails once, naming the cycle", async () => {
    const config = `
[profile top]
role_arn = ${EXAMPLE_ASSUMED}
source_profile = loop

[profile loop]
credential_process = ${cliProcess(["--profile", "top", "--format", "process"])}
`;
    const r = await runCli(["--profile", "top"], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(firstLine(r.stderr)).toBe(
      "assume-role: credential_process of profile loop exited with status 8: assume-role: profile loop: profile cycle loop -> top -> loop: a credential_process leads back to a profile that is being resolved",
    );
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });
});

describe("SSO profiles without a cached token (aws sso login not run)", () => {
  it.each([
    ["legacy settings", "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n"],
    ["an sso-session", "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"],
  ])("%s: exit 3 with the hint to log in, no network", async (_what, config) => {
    const r = await runCli(["--profile", "sso"], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(firstLine(r.stderr)).toMatch(/^assume-role: profile sso \(SSO\): /);
    expect(r.stderr).toContain("hint: run aws sso login --profile sso");
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("--dry-run describes the SSO source", async () => {
    const config = "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n";
    const r = await runCli(["--profile", "sso", "--dry-run"], profileFiles(config));
    expect(r.code).toBe(0);
    expect(firstLine(r.stdout)).toBe(
      "source: profile sso (SSO: account 123456789012, role Dev, sso-session corp, start URL https://example.awsapps.com/start, region eu-west-1; token cached by aws sso login)",
    );
  });
});
