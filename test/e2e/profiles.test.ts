/**
 * `assume-role --profile NAME` (and AWS_PROFILE) against the sandbox, with config files in a temp dir:
 * what the sandbox's STS received for each hop (role, caller, session name, duration, external ID),
 * and what a user sees for --dry-run and for broken profiles.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { CROSS_ACCOUNT, EXAMPLE_ASSUMED, EXTERNAL_ID_ROLE, INSTANCE, firstLine, keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const sandbox = useSandbox();
const hops = () => sandbox().requests.filter((r) => r.action === "AssumeRole");

/** Two profiles chained from the instance profile: imds-base (credential_source) → cross (source_profile). */
const IMDS_CHAIN = `
[profile imds-base]
role_arn = ${EXAMPLE_ASSUMED}
credential_source = Ec2InstanceMetadata
duration_seconds = 1800

[profile cross]
role_arn = ${CROSS_ACCOUNT}
source_profile = imds-base
region = us-east-1
`;

/** alice's long-term keys (credentials file) → alice-role (config file) → ext (external ID, own session name). */
function aliceFiles() {
  const config = `
[profile alice-role]
role_arn = ${EXAMPLE_ASSUMED}
source_profile = alice
role_session_name = alice-session
duration_seconds = 7200

[profile ext]
role_arn = ${EXTERNAL_ID_ROLE}
source_profile = alice-role
external_id = example-external-id
role_session_name = ext-session

[profile ext-wrong]
role_arn = ${EXTERNAL_ID_ROLE}
source_profile = alice-role
external_id = not-the-external-id
`;
  return profileFiles(config, keysSection("alice", sandbox().userKeys("alice")));
}

describe("profiles chained from IMDS (credential_source = Ec2InstanceMetadata)", () => {
  it("--profile cross: two hops, session names = the instance ID, duration_seconds sent, the second capped by nothing", async () => {
    const r = await runCli(["--profile", "cross", "--format", "json"], { ...sandbox().env(), ...profileFiles(IMDS_CHAIN) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.params.RoleSessionName, h.params.DurationSeconds, h.callerArn, h.status])).toEqual([
      [EXAMPLE_ASSUMED, INSTANCE, "1800", `arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`, 200],
      [CROSS_ACCOUNT, INSTANCE, "3600", `arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`, 200],
    ]);
    expect(JSON.parse(r.stdout).AccessKeyId).toMatch(/^ASIA/);
  });

  it("AWS_PROFILE=cross selects the same chain without --profile", async () => {
    const r = await runCli([], { ...sandbox().env(), ...profileFiles(IMDS_CHAIN), AWS_PROFILE: "cross" });
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.params.RoleSessionName])).toEqual([
      [EXAMPLE_ASSUMED, INSTANCE],
      [CROSS_ACCOUNT, INSTANCE],
    ]);
  });

  it("a duration_seconds over 1h on a chained hop is lowered to 1h with a warning naming the profile (the SDKs would send it and fail)", async () => {
    const config = IMDS_CHAIN.replace("duration_seconds = 1800", "duration_seconds = 7200");
    const r = await runCli(["--profile", "imds-base"], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `assume-role: warning: duration_seconds of profile imds-base (2h) lowered to 1h for ${EXAMPLE_ASSUMED}: AWS caps sessions assumed by role chaining at 1 hour\n`,
    );
    expect(hops().map((h) => h.params.DurationSeconds)).toEqual(["3600"]);
  });

  it("each capped hop's warning names where its duration came from: the profile's duration_seconds, or --duration", async () => {
    const config = IMDS_CHAIN.replace("duration_seconds = 1800", "duration_seconds = 7200");
    const r = await runCli(["--profile", "imds-base", "--duration", "3h", CROSS_ACCOUNT], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `assume-role: warning: duration_seconds of profile imds-base (2h) lowered to 1h for ${EXAMPLE_ASSUMED}: AWS caps sessions assumed by role chaining at 1 hour\n` +
        `assume-role: warning: --duration 3h lowered to 1h for ${CROSS_ACCOUNT}: AWS caps sessions assumed by role chaining at 1 hour\n`,
    );
    expect(hops().map((h) => h.params.DurationSeconds)).toEqual(["3600", "3600"]);
  });
});

describe("profiles chained from static keys (source_profile)", () => {
  it("the first hop is signed by alice's keys; role_session_name and duration_seconds are sent (unchained: 2h allowed)", async () => {
    const r = await runCli(["--profile", "alice-role", "--format", "json"], { ...sandbox().env(), ...aliceFiles() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.accessKeyId, h.callerArn, h.params.RoleSessionName, h.params.DurationSeconds])).toEqual([
      [EXAMPLE_ASSUMED, "AKIAALICEEXAMPLE0001", "arn:aws:iam::123456789012:user/alice", "alice-session", "7200"],
    ]);
  });

  it("--profile X ROLE chains the command-line ROLE after the profile's hops", async () => {
    const r = await runCli(["--profile", "alice-role", CROSS_ACCOUNT], { ...sandbox().env(), ...aliceFiles() });
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.callerArn, h.status])).toEqual([
      [EXAMPLE_ASSUMED, "arn:aws:iam::123456789012:user/alice", 200],
      [CROSS_ACCOUNT, "arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/alice-session", 200],
    ]);
  });

  it("external_id reaches the trust policy's sts:ExternalId condition; role_session_name names the session", async () => {
    const r = await runCli(["--profile", "ext", "--format", "json"], { ...sandbox().env(), ...aliceFiles() });
    expect(r.code).toBe(0);
    expect(hops().map((h) => [h.params.RoleArn, h.params.RoleSessionName, h.params.ExternalId, h.status])).toEqual([
      [EXAMPLE_ASSUMED, "alice-session", undefined, 200],
      [EXTERNAL_ID_ROLE, "ext-session", "example-external-id", 200],
    ]);
  });

  it("control: the wrong external_id is refused by the role's trust policy (exit 4)", async () => {
    const r = await runCli(["--profile", "ext-wrong"], { ...sandbox().env(), ...aliceFiles() });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(hops().at(-1)?.params.ExternalId).toBe("not-the-external-id");
  });
});

describe("--dry-run", () => {
  it("prints the plan (source, hops, session names, capped durations, external ID, MFA) and makes no request", async () => {
    const config = `${IMDS_CHAIN}
[profile mfa]
role_arn = ${EXTERNAL_ID_ROLE}
source_profile = cross
external_id = example-external-id
mfa_serial = arn:aws:iam::123456789012:mfa/alice
duration_seconds = 7200
`;
    const r = await runCli(["--profile", "mfa", "--dry-run", "Final"], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "source: IMDS (instance profile), from profile imds-base",
        `hop 1: ${EXAMPLE_ASSUMED} (profile imds-base)`,
        "  session name: {instanceId} (default)",
        "  duration: 30m",
        `hop 2: ${CROSS_ACCOUNT} (profile cross)`,
        "  session name: {instanceId} (default)",
        "  duration: 1h (default)",
        `hop 3: ${EXTERNAL_ID_ROLE} (profile mfa)`,
        "  session name: {instanceId} (default)",
        "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)",
        "  external id: example-external-id",
        "  MFA: arn:aws:iam::123456789012:mfa/alice (code from --mfa-token or asked on the terminal)",
        "hop 4: Final (bare name: completed at run time with the account before this hop)",
        "  session name: {instanceId} (default)",
        "  duration: 1h (default)",
        "region: us-east-1 (AWS_REGION)",
        "then: print the credentials as sh",
        "",
      ].join("\n"),
    );
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("masks the static key ID and never prints the secret", async () => {
    const keys = sandbox().userKeys("alice");
    const r = await runCli(["--profile", "alice-role", "--dry-run"], { ...sandbox().env(), ...aliceFiles() });
    expect(r.code).toBe(0);
    expect(firstLine(r.stdout)).toBe("source: profile alice (static keys AKIA…0001)");
    expect(r.stdout).not.toContain(keys.secretAccessKey);
    expect(r.stdout).not.toContain(keys.accessKeyId);
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });
});

describe("broken profiles: exit 8, nothing on stdout, one line naming the profile, no request", () => {
  const CASES: Array<[string, string, string, RegExp]> = [
    ["a cycle", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = b\n[profile b]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = a\n`, "a", /^assume-role: profile a: a -> b -> a: the profile formed an infinite loop/],
    ["a missing source profile", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = nowhere\n`, "a", /^assume-role: profile a: could not find source profile nowhere referenced from a$/],
    ["both source_profile and credential_source", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = b\ncredential_source = Ec2InstanceMetadata\n[profile b]\n`, "a", /^assume-role: profile a: the profile contained both source_profile and credential_source/],
    ["an unknown credential_source", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\ncredential_source = Ec2InstanceMetaData\n`, "a", /^assume-role: profile a: credential_source 'Ec2InstanceMetaData' is not supported/],
    ["a profile that is not there", `[profile a]\nregion = us-east-1\n`, "zzz", /^assume-role: profile zzz: not found in /],
    ["an unsupported key that changes credentials", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\ncredential_source = Ec2InstanceMetadata\ninclude_profile = b\n`, "a", /^assume-role: profile a: include_profile is not supported/],
    ["mfa_serial on a profile that assumes no role", `[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = b\n[profile b]\ncredential_source = Ec2InstanceMetadata\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n`, "a", /^assume-role: profile b: mfa_serial has no effect here/],
    ["a malformed line", `[profile a]\nrole_arn ${EXAMPLE_ASSUMED}\n`, "a", /^assume-role: \S+config line 2: Expected an '=' sign defining a property$/],
  ];
  it.each(CASES)("%s", async (_what, config, profile, message) => {
    const r = await runCli(["--profile", profile], { ...sandbox().env(), ...profileFiles(config) });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe("");
    expect(firstLine(r.stderr)).toMatch(message);
    expect(r.stderr.split("\n").filter(Boolean).length).toBeLessThanOrEqual(2); // the line and its hint
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("a config file that is a directory is an error naming it; a missing one is empty", async () => {
    const files = profileFiles("");
    const unreadable = await runCli(["--profile", "a"], { ...sandbox().env(), ...files, AWS_CONFIG_FILE: "/" });
    expect(unreadable.code).toBe(8);
    expect(firstLine(unreadable.stderr)).toBe("assume-role: / is not a regular file (it is a directory)");
    const missing = await runCli(["--profile", "a"], { ...sandbox().env(), ...files, AWS_CONFIG_FILE: "/nonexistent/config" });
    expect(missing.code).toBe(8);
    expect(firstLine(missing.stderr)).toMatch(/^assume-role: profile a: not found: no profiles were defined in \/nonexistent\/config or /);
  });

  it.each(["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])("%s naming a FIFO: exit 8 at once naming it (no read that waits for a writer forever)", async (variable) => {
    const files = profileFiles(`[profile a]\nregion = us-east-1\n`);
    const fifo = join(dirname(files.AWS_CONFIG_FILE), "fifo");
    execFileSync("mkfifo", [fifo]);
    const r = await runCli(["--profile", "a"], { ...sandbox().env(), ...files, [variable]: fifo });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(`assume-role: ${fifo} is not a regular file (it is a named pipe)\n  hint: point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a regular file\n`);
    expect(r.ms).toBeLessThan(10_000);
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("AWS_SHARED_CREDENTIALS_FILE=/dev/null reads as an empty file (the usual way to say: no credentials file)", async () => {
    const files = profileFiles(IMDS_CHAIN);
    const r = await runCli(["--profile", "imds-base", "--dry-run"], { ...sandbox().env(), ...files, AWS_SHARED_CREDENTIALS_FILE: "/dev/null" });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(firstLine(r.stdout)).toBe("source: IMDS (instance profile), from profile imds-base");
  });
});
