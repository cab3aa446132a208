/**
 * Resolving a profile into a plan, beyond the cross-SDK cases (test/conformance/): the values each key
 * carries into the plan, the values refused, the keys refused, and the credential_process loop guard.
 */
import { describe, expect, it } from "vitest";
import { checkProfileChain, chainWith } from "../../src/config/profile-chain-guard.js";
import { profileSetFromText } from "../../src/config/profile-set.js";
import { resolveProfile } from "../../src/config/resolve-profile.js";
import { ConfigError } from "../../src/errors.js";

const ROLE = "arn:aws:iam::123456789012:role/R";
const KEYS = "aws_access_key_id = AKIAEXAMPLEKEY000001\naws_secret_access_key = s3cr3t\n";
const resolve = (config: string, name: string, credentials = "") =>
  resolveProfile(profileSetFromText({ config, credentials }, { config: "/c", credentials: "/k" }), name);

describe("what a profile puts into the plan", () => {
  it("every hop key, in order from the source outwards, with the selected profile's region", () => {
    const config = `
[profile base]
${KEYS}aws_session_token = tok
aws_account_id = 123456789012
aws_credential_expiration = 2030-01-01T00:00:00Z
[profile mid]
role_arn = ${ROLE}1
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/me
[profile top]
role_arn = ${ROLE}2
source_profile = mid
role_session_name = me@example.com
duration_seconds = 900
external_id = ext-123
region = eu-central-1
output = json
cli_pager =
s3 =
  max_concurrent_requests = 4
`;
    const { plan, visited } = resolve(config, "top");
    expect(visited).toEqual(["top", "mid", "base"]);
    expect(plan).toEqual({
      name: "top",
      region: "eu-central-1",
      source: {
        kind: "static",
        profile: "base",
        accountId: "123456789012",
        credentials: { accessKeyId: "AKIAEXAMPLEKEY000001", secretAccessKey: "s3cr3t", sessionToken: "tok", expiration: new Date("2030-01-01T00:00:00Z") },
      },
      hops: [
        { role: { kind: "arn", arn: `${ROLE}1` }, mfaSerial: "arn:aws:iam::123456789012:mfa/me", profile: "mid" },
        { role: { kind: "arn", arn: `${ROLE}2` }, sessionName: "me@example.com", duration: 900, durationOrigin: "duration_seconds of profile top", externalId: "ext-123", profile: "top" },
      ],
    });
  });

  it("hops keep no session name unless role_session_name is set (IMDS chains then get {instanceId})", () => {
    const { plan } = resolve(`[profile a]\nrole_arn = ${ROLE}\ncredential_source = Ec2InstanceMetadata\n`, "a");
    expect(plan.source).toEqual({ kind: "imds", profile: "a" });
    expect(plan.hops[0]!.sessionName).toBeUndefined();
  });

  it.each([
    ["credential_source = Environment", { kind: "env", profile: "a" }],
    ["credential_source = EcsContainer", { kind: "container", profile: "a" }],
    ["credential_process = get-creds --profile x", { kind: "process", profile: "a", command: "get-creds --profile x" }],
    ["web_identity_token_file = /t\nrole_arn = " + ROLE + "\nduration_seconds = 7200", { kind: "web-identity", roleArn: ROLE, token: { kind: "file", path: "/t" }, duration: 7200, profile: "a" }],
  ])("a profile without role_arn: %s → its source, no hop", (body, source) => {
    const { plan } = resolve(`[profile a]\n${body}\n`, "a");
    expect(plan.source).toEqual(source);
    expect(plan.hops).toEqual([]);
  });

  it("static keys only in the credentials file, selected by name", () => {
    const { plan } = resolve("", "dev", `[dev]\n${KEYS}`);
    expect(plan.source).toMatchObject({ kind: "static", profile: "dev", credentials: { accessKeyId: "AKIAEXAMPLEKEY000001" } });
  });

  it("blank values count as unset", () => {
    const { plan } = resolve(`[profile a]\nrole_arn = ${ROLE}\ncredential_source = Ec2InstanceMetadata\nexternal_id =\nrole_session_name =   \n`, "a");
    expect(plan.hops[0]).toEqual({ role: { kind: "arn", arn: ROLE }, profile: "a" });
  });
});

describe("values refused (exit 8, naming the profile and key)", () => {
  it.each([
    ["duration_seconds = 60", "profile a: duration_seconds '60': must be a whole number of seconds from 900 to 43200"],
    ["duration_seconds = 1h", "profile a: duration_seconds '1h'"],
    ["role_session_name = has space", "profile a: role_session_name 'has space': must be 2-64 characters"],
    ["external_id = x", "profile a: external_id 'x': must be 2-1224 characters"],
    ["mfa_serial = 123", "profile a: mfa_serial '123'"],
  ])("%s", (line, message) => {
    expect(() => resolve(`[profile a]\nrole_arn = ${ROLE}\ncredential_source = Ec2InstanceMetadata\n${line}\n`, "a")).toThrow(message);
  });

  it("role_arn that is not a role ARN", () => {
    expect(() => resolve("[profile a]\nrole_arn = MyRole\ncredential_source = Ec2InstanceMetadata\n", "a")).toThrow("profile a: role_arn 'MyRole': must be a role ARN");
  });

  it("aws_credential_expiration that is not a time", () => {
    expect(() => resolve("", "a", `[a]\n${KEYS}aws_credential_expiration = soon\n`)).toThrow("profile a: aws_credential_expiration 'soon'");
  });

  it("a credential_source in the wrong case (the SDKs compare it case-sensitively)", () => {
    expect(() => resolve(`[profile a]\nrole_arn = ${ROLE}\ncredential_source = ec2instancemetadata\n`, "a")).toThrow(
      "profile a: credential_source 'ec2instancemetadata' is not supported: expected Ec2InstanceMetadata, Environment, EcsContainer (case-sensitive)",
    );
  });
});

describe("keys refused rather than ignored", () => {
  const imds = `role_arn = ${ROLE}\ncredential_source = Ec2InstanceMetadata`;
  it.each([
    [`[profile a]\n${imds}\nsource_identity = me`, "profile a: source_identity is not supported: a source identity from profiles is not supported; pass --source-identity"],
    [`[profile a]\n${imds}\n[profile b]\nrole_arn = ${ROLE}\nsource_profile = a\n[profile a]\nsession_tags = k=v`, "profile a: session_tags is not supported"],
    [`[profile a]\n${imds}\nendpoint_url = http://localhost:4566`, "profile a: endpoint_url is not supported in profiles: set AWS_ENDPOINT_URL_STS"],
    [`[profile a]\n${imds}\nuse_fips_endpoint = true`, "profile a: use_fips_endpoint is not supported in profiles"],
    [`[profile a]\n${imds}\nservices = local\n[services local]\nsts =\n  endpoint_url = http://localhost:4566`, "profile a: services = local: its sts endpoint_url is not supported"],
    [`[profile a]\n${imds}\nec2_metadata_service_endpoint = http://127.0.0.1:1`, "profile a: ec2_metadata_service_endpoint is not read from profiles by assume-role: set AWS_EC2_METADATA_SERVICE_ENDPOINT"],
    [`[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\ncredential_source = Ec2InstanceMetadata\nexternal_id = abc`, "profile b: external_id has no effect here: the profile has no role_arn"],
    [`[profile a]\nweb_identity_token_file = /t\nrole_arn = ${ROLE}\nexternal_id = abc`, "profile a: external_id has no effect here: AssumeRoleWithWebIdentity takes no such parameter"],
  ])("%#: %s", (config, message) => {
    expect(() => resolve(config, "a")).toThrow(ConfigError);
    expect(() => resolve(config, "a")).toThrow(message);
  });

  it.each([
    [`[profile a]\n${imds}\nuse_fips_endpoint = false\nsts_regional_endpoints = regional\nretry_mode = standard`, "settings that keep the defaults or do not affect credentials"],
    [`[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\n${KEYS}ec2_metadata_service_endpoint = http://127.0.0.1:1\n`, "IMDS settings when the chain does not use IMDS"],
    [`[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\n${KEYS}endpoint_url = http://x\n`, "an endpoint_url in a source profile (the SDKs read it from the selected profile only)"],
    [`[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\n${KEYS}role_arn = ${ROLE}9\nsource_profile = c\nexternal_id = ext-of-b\n`, "hop keys on a source profile whose role is skipped for its static keys"],
  ])("accepted: %s (%s)", (config) => {
    expect(() => resolve(config, "a")).not.toThrow();
  });
});

describe("credential_process loop guard (ASSUME_ROLE_PROFILE_CHAIN)", () => {
  it("a parent adds the profile whose process it runs", () => {
    expect(chainWith({}, "b")).toBe("b");
    expect(chainWith({ ASSUME_ROLE_PROFILE_CHAIN: "x,y" }, "b")).toBe("x,y,b");
  });

  it("passes when the child's profiles are new, fails naming the cycle when one repeats", () => {
    expect(() => checkProfileChain({}, ["a", "b"])).not.toThrow();
    expect(() => checkProfileChain({ ASSUME_ROLE_PROFILE_CHAIN: "x" }, ["a", "b"])).not.toThrow();
    expect(() => checkProfileChain({ ASSUME_ROLE_PROFILE_CHAIN: "b" }, ["a", "b"])).toThrow(
      "profile b: profile cycle b -> a -> b: a credential_process leads back to a profile that is being resolved",
    );
  });
});
