/** describePlan (what --dry-run prints): table tests over sources, hops, the chained cap and masking. */
import { describe, expect, it } from "vitest";
import { describePlan, maskKeyId } from "../../src/plan/describe-plan.js";
import type { ChainPlan, HopPlan, SourcePlan } from "../../src/types.js";

const ROLE = "arn:aws:iam::123456789012:role/Deploy";
const hop = (extra: Partial<HopPlan> = {}): HopPlan => ({ role: { kind: "arn", arn: ROLE }, ...extra });
const lines = (plan: ChainPlan, env: Record<string, string> = {}) => describePlan(plan, env).trimEnd().split("\n");
const STATIC: SourcePlan = { kind: "static", profile: "base", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" } };

describe("describePlan: the source line", () => {
  it.each<[string, SourcePlan, Record<string, string>, string]>([
    ["IMDS", { kind: "imds" }, {}, "source: IMDS (instance profile)"],
    ["IMDS from a profile", { kind: "imds", profile: "ops" }, {}, "source: IMDS (instance profile), from profile ops"],
    ["static keys, masked", STATIC, {}, "source: profile base (static keys AKIA…MPLE)"],
    [
      "static session keys",
      { ...STATIC, credentials: { ...STATIC.credentials, sessionToken: "tok" }, accountId: "123456789012" } as SourcePlan,
      {},
      "source: profile base (static keys AKIA…MPLE, with a session token, account 123456789012)",
    ],
    ["environment", { kind: "env" }, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" }, "source: environment (AWS_ACCESS_KEY_ID AKIA…MPLE)"],
    ["environment, unset", { kind: "env" }, {}, "source: environment (AWS_ACCESS_KEY_ID is not set)"],
    ["auto → environment keys", { kind: "auto" }, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" }, "source: auto → environment (AWS_ACCESS_KEY_ID AKIA…MPLE) (decided from the environment; tried in order: environment keys, web identity, container, IMDS)"],
    ["auto → IMDS when the keys are assume-role's own exports", { kind: "auto" }, { AWS_ACCESS_KEY_ID: "ASIAOWN", AWS_SECRET_ACCESS_KEY: "x", ASSUME_ROLE_ACCESS_KEY_ID: "ASIAOWN" }, "source: auto → IMDS (instance profile) (decided from the environment; tried in order: environment keys, web identity, container, IMDS)"],
    ["credential_process", { kind: "process", profile: "p", command: "get-creds --x" }, {}, "source: profile p (credential_process: get-creds --x)"],
    ["SSO", { kind: "sso", profile: "s", settings: { sso_account_id: "111111111111", sso_role_name: "Dev", sso_start_url: "https://x/start", sso_region: "eu-west-1" } }, {}, "source: profile s (SSO: account 111111111111, role Dev, start URL https://x/start, region eu-west-1; token cached by aws sso login)"],
    ["web identity from a profile", { kind: "web-identity", roleArn: ROLE, token: { kind: "file", path: "/t" }, sessionName: "ci", profile: "w" }, {}, `source: web identity: AssumeRoleWithWebIdentity ${ROLE} with token file /t, session name ci, from profile w`],
    ["container", { kind: "container" }, {}, "source: container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI)"],
  ])("%s", (_what, source, env, expected) => {
    expect(lines({ source, hops: [] }, env)[0]).toBe(expected);
  });

  it("never prints a secret or a full key ID", () => {
    const text = describePlan({ source: { ...STATIC, credentials: { ...STATIC.credentials, sessionToken: "SESSIONTOKEN" } } as SourcePlan, hops: [hop()] }, {});
    for (const secret of ["wJalrXUtnFEMI/K7MDENG", "SESSIONTOKEN", "AKIAIOSFODNN7EXAMPLE"]) expect(text).not.toContain(secret);
  });
});

describe("describePlan: hops", () => {
  it("a full hop: profile, session name, external ID, MFA, tags, policies", () => {
    const plan: ChainPlan = {
      source: STATIC,
      hops: [
        hop({
          profile: "deploy",
          sessionName: "me",
          duration: 7200,
          externalId: "ext",
          mfaSerial: "arn:aws:iam::123456789012:mfa/me",
          sourceIdentity: "me",
          tags: [{ key: "team", value: "a" }],
          policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        }),
      ],
      region: "eu-west-1",
    };
    expect(lines(plan)).toEqual([
      "source: profile base (static keys AKIA…MPLE)",
      `hop 1: ${ROLE} (profile deploy)`,
      "  session name: me",
      "  duration: 2h",
      "  external id: ext",
      "  MFA: arn:aws:iam::123456789012:mfa/me (code from --mfa-token or asked on the terminal)",
      "  source identity: me",
      "  tags: team=a",
      "  session policy ARNs: arn:aws:iam::aws:policy/ReadOnlyAccess",
      "region: eu-west-1",
    ]);
  });

  it("a bare role name is completed at run time; no region means IMDS or the partition default", () => {
    expect(lines({ source: { kind: "imds" }, hops: [{ role: { kind: "name", name: "Deploy" } }] })).toEqual([
      "source: IMDS (instance profile)",
      "hop 1: Deploy (bare name: completed at run time with the account before this hop)",
      "  session name: {instanceId} (default)",
      "  duration: 1h (default)",
      "region: not set: the IMDS region when the source is IMDS, else the partition's default (us-east-1)",
    ]);
  });

  const durationOf = (source: SourcePlan, index: number, duration: HopPlan["duration"], env: Record<string, string> = {}) =>
    lines({ source, hops: [hop({ duration }), hop({ duration })] }, env).filter((l) => l.startsWith("  duration:"))[index];

  it.each<[string, SourcePlan, number, HopPlan["duration"], Record<string, string>, string]>([
    ["long-term keys: the first hop is not chained", STATIC, 0, 7200, {}, "  duration: 2h"],
    ["long-term keys: max is 12h on the first hop", STATIC, 0, "max", {}, "  duration: 12h (max)"],
    ["every later hop is chained", STATIC, 1, 7200, {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["IMDS: the first hop is chained", { kind: "imds" }, 0, 7200, {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["IMDS: max on the first hop", { kind: "imds" }, 0, "max", {}, "  duration: 1h (max; capped at 1h, chained: its caller is a role session)"],
    ["env with a session token: chained", { kind: "env" }, 0, 7200, { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["env without a session token: not chained", { kind: "env" }, 0, 7200, { AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "s" }, "  duration: 2h"],
    ["credential_process: counted as chained (it may return a role session)", { kind: "process", profile: "p", command: "c" }, 0, 7200, {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["under the cap: unchanged", { kind: "imds" }, 0, 1800, {}, "  duration: 30m"],
  ])("%s", (_what, source, index, duration, env, expected) => {
    expect(durationOf(source, index, duration, env)).toBe(expected);
  });

  it("default session names: {instanceId} on IMDS, {user}@{host} otherwise", () => {
    expect(lines({ source: { kind: "auto" }, hops: [hop()] })).toContain("  session name: {instanceId} (default)");
    expect(lines({ source: STATIC, hops: [hop()] })).toContain("  session name: {user}@{host} (default)");
  });
});

describe("maskKeyId", () => {
  it.each([
    ["AKIAIOSFODNN7EXAMPLE", "AKIA…MPLE"],
    ["ABCD1234", "…1234"],
  ])("%s → %s", (id, masked) => {
    expect(maskKeyId(id)).toBe(masked);
  });
});
