/**
 * A profile that holds only settings (`region`, `output`), selected by AWS_PROFILE or --profile, as on
 * many EC2 hosts: as in the AWS SDKs and CLI, its region applies and the credentials come from the rest
 * of the default chain (environment keys, then IMDS here). `--source profile` still refuses it (exit 8).
 */
import { describe, expect, it } from "vitest";
import { bashEnvAfter, BIN, cleanEnv, runCli, shQuote } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { EXAMPLE_ASSUMED, INSTANCE, firstLine, keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const sandbox = useSandbox();
const hops = () => sandbox().requests.filter((r) => r.action === "AssumeRole");
const INSTANCE_SESSION = `arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`;

const CONFIG = `
[profile settings]
region = eu-west-1
output = json

[profile uses-settings]
role_arn = ${EXAMPLE_ASSUMED}
source_profile = settings
`;

/** The sandbox without its AWS_REGION, so that the profile's region is the one that counts. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...sandbox().env(), AWS_REGION: undefined, ...profileFiles(CONFIG), ...extra };
}

describe("a profile with settings only", () => {
  it.each([
    ["AWS_PROFILE=settings", [], { AWS_PROFILE: "settings" }],
    ["--profile settings", ["--profile", "settings"], {}],
  ])("%s on EC2: the hop is signed by the instance role, and the profile's region is exported", async (_what, args, extra) => {
    const command = [process.execPath, BIN, ...args, EXAMPLE_ASSUMED].map(shQuote).join(" ");
    const vars = await bashEnvAfter(`eval "$(${command})"`, cleanEnv(env(extra)));
    expect(hops().map((h) => [h.params.RoleArn, h.callerArn, h.params.RoleSessionName, h.status])).toEqual([[EXAMPLE_ASSUMED, INSTANCE_SESSION, INSTANCE, 200]]);
    expect([vars.AWS_REGION, vars.AWS_DEFAULT_REGION]).toEqual(["eu-west-1", "eu-west-1"]);
    expect(vars.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
  });

  it("with keys in the environment: the environment's keys sign the hop (the next source of the chain)", async () => {
    const keys = sandbox().userKeys("alice");
    const r = await runCli([EXAMPLE_ASSUMED, "--format", "json"], env({ AWS_PROFILE: "settings", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(hops().map((h) => [h.accessKeyId, h.callerArn])).toEqual([[keys.accessKeyId, "arn:aws:iam::123456789012:user/alice"]]);
  });

  it("--dry-run says the source is decided by the chain and the region is the profile's; no request", async () => {
    const r = await runCli(["--profile", "settings", "--dry-run", EXAMPLE_ASSUMED], env());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(firstLine(r.stdout)).toBe(
      "source: auto → IMDS (instance profile) (decided from the environment; tried in order: environment keys, web identity, container, IMDS; profile settings holds only settings, so they apply and the credentials come from this chain)",
    );
    expect(r.stdout).toContain("\nregion: eu-west-1 (region of profile ");
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("no source configured (IMDS disabled): exit 3, the message says the profile held only settings", async () => {
    const r = await runCli(["--profile", "settings", EXAMPLE_ASSUMED], { ...env(), AWS_EC2_METADATA_DISABLED: "true" });
    expect([r.code, r.stdout]).toEqual([3, ""]);
    const [message, hint] = r.stderr.split("\n");
    expect(message).toMatch(/^assume-role: no source credentials \(profile settings holds only settings, so the default chain was tried\): .*IMDS is disabled/);
    expect(hint).toBe("  hint: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, give profile settings credentials, or run on EC2 with an instance profile");
  });

  it("--source profile: exit 8, the profile did not contain credential information; no request", async () => {
    const r = await runCli(["--source", "profile", "--profile", "settings", EXAMPLE_ASSUMED], env());
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(
      "assume-role: profile settings: profile `settings` did not contain credential information\n" +
        "  hint: --source profile takes credentials from the profile only: give it keys, credential_process, SSO settings or role_arn, or drop --source profile to take them from the environment, container or IMDS\n",
    );
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("as the source_profile of another profile it is still an error (exit 8): a role needs credentials to be assumed", async () => {
    const r = await runCli(["--profile", "uses-settings"], env());
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(firstLine(r.stderr)).toBe("assume-role: profile settings: profile `settings` did not contain credential information (it is the source_profile of uses-settings)");
    expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
  });

  it("half a key pair is not settings: still the missing-key error", async () => {
    const r = await runCli(["--profile", "half"], { ...env(), ...profileFiles("[profile half]\nregion = eu-west-1\n", "[half]\naws_secret_access_key = x\n") });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(firstLine(r.stderr)).toBe("assume-role: profile half: profile missing aws_access_key_id");
  });

  it("an IMDS setting in it is refused (the chain may end on IMDS, which reads those from the environment only)", async () => {
    const r = await runCli(["--profile", "v6"], { ...env(), ...profileFiles("[profile v6]\nec2_metadata_service_endpoint_mode = IPv6\n", keysSection("unused", { accessKeyId: "AKIAX", secretAccessKey: "x" })) });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(firstLine(r.stderr)).toBe(
      "assume-role: profile v6: ec2_metadata_service_endpoint_mode is not read from profiles by assume-role: set AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE in the environment instead",
    );
  });
});
