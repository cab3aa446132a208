/** describePlan (what --dry-run prints): table tests over sources, hops, the chained cap and masking, on plans from buildPlan. */
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanInput, type ProfilePlan } from "../../src/plan/build-plan.js";
import { describePlan, maskKeyId } from "../../src/plan/describe-plan.js";
import type { HopPlan, SourcePlan } from "../../src/types.js";

type Env = Record<string, string>;
const ROLE = "arn:aws:iam::123456789012:role/Deploy";
const STATIC: SourcePlan = { kind: "static", profile: "base", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" } };

/** A profile named after its source's profile (or `p`) with that source and these hops. */
const profileOf = (source: SourcePlan, hops: HopPlan[] = []): ProfilePlan => ({ name: source.profile ?? "p", source, hops });
/** The plan of `--profile` for a source with a profile, else of `--source KIND`. */
const planFor = (source: SourcePlan, env: Env, extra: Partial<PlanInput> = {}) =>
  buildPlan(source.profile !== undefined ? { roles: [], profile: profileOf(source), env, ...extra } : { roles: [], source: source.kind, env, ...extra });
const lines = (input: Partial<PlanInput> & { env?: Env }) => {
  const env = input.env ?? {};
  return describePlan(buildPlan({ roles: [], ...input, env }), env).trimEnd().split("\n");
};

describe("describePlan: the source line", () => {
  it.each<[string, SourcePlan, Env, string]>([
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
    [
      "environment with a session token",
      { kind: "env" },
      { AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x", AWS_SESSION_TOKEN: "t" },
      "source: environment (AWS_ACCESS_KEY_ID ASIA…MPLE with a session token)",
    ],
    ["environment, unset", { kind: "env" }, {}, "source: environment (AWS_ACCESS_KEY_ID is not set)"],
    ["auto → environment keys", { kind: "auto" }, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" }, "source: auto → environment (AWS_ACCESS_KEY_ID AKIA…MPLE) (decided from the environment; tried in order: environment keys, web identity, container, IMDS)"],
    ["auto → IMDS when the keys are assume-role's own exports", { kind: "auto" }, { AWS_ACCESS_KEY_ID: "ASIAOWN", AWS_SECRET_ACCESS_KEY: "x", ASSUME_ROLE_ACCESS_KEY_ID: "ASIAOWN" }, "source: auto → IMDS (instance profile) (decided from the environment; tried in order: environment keys, web identity, container, IMDS)"],
    ["auto → container", { kind: "auto" }, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds" }, "source: auto → container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI) (decided from the environment; tried in order: environment keys, web identity, container, IMDS)"],
    ["credential_process", { kind: "process", profile: "p", command: "get-creds --x" }, {}, "source: profile p (credential_process: get-creds --x)"],
    ["SSO", { kind: "sso", profile: "s", settings: { sso_account_id: "111111111111", sso_role_name: "Dev", sso_start_url: "https://x/start", sso_region: "eu-west-1" } }, {}, "source: profile s (SSO: account 111111111111, role Dev, start URL https://x/start, region eu-west-1; token cached by aws sso login)"],
    ["web identity from a profile", { kind: "web-identity", roleArn: ROLE, token: { kind: "file", path: "/t" }, sessionName: "ci", profile: "w" }, {}, `source: web identity: AssumeRoleWithWebIdentity ${ROLE} with token file /t, session name ci, duration 1h, from profile w`],
    ["container", { kind: "container" }, {}, "source: container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI)"],
  ])("%s", (_what, source, env, expected) => {
    expect(describePlan(planFor(source, env), env).split("\n")[0]).toBe(expected);
  });

  it("never prints a secret or a full key ID", () => {
    const source = { ...STATIC, credentials: { ...STATIC.credentials, sessionToken: "SESSIONTOKEN" } } as SourcePlan;
    const text = describePlan(buildPlan({ roles: [ROLE], profile: profileOf(source), env: {} }), {});
    const env = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG", AWS_SESSION_TOKEN: "SESSIONTOKEN" };
    const fromEnv = describePlan(buildPlan({ roles: [ROLE], env }), env);
    for (const secret of ["wJalrXUtnFEMI/K7MDENG", "SESSIONTOKEN", "AKIAIOSFODNN7EXAMPLE"]) {
      expect(text).not.toContain(secret);
      expect(fromEnv).not.toContain(secret);
    }
  });
});

describe("describePlan: hops", () => {
  it("a full hop: profile, session name, external ID, MFA, tags, policies, the region and where it came from", () => {
    const hop: HopPlan = {
      role: { kind: "arn", arn: ROLE },
      profile: "deploy",
      sessionName: "me",
      duration: 7200,
      durationOrigin: "duration_seconds of profile deploy",
      externalId: "ext",
      mfaSerial: "arn:aws:iam::123456789012:mfa/me",
    };
    const plan = buildPlan({
      roles: [],
      profile: { name: "deploy", source: STATIC, hops: [hop] },
      sourceIdentity: "me",
      tags: ["team=a"],
      transitiveTags: ["team"],
      policy: '{"Version":"2012-10-17"}',
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      region: "eu-west-1",
      env: {},
    });
    expect(describePlan(plan, {}).trimEnd().split("\n")).toEqual([
      "source: profile base (static keys AKIA…MPLE)",
      `hop 1: ${ROLE} (profile deploy)`,
      "  session name: me",
      "  duration: 2h",
      "  external id: ext",
      "  MFA: arn:aws:iam::123456789012:mfa/me (code from --mfa-token or asked on the terminal)",
      "  source identity: me",
      "  tags: team=a",
      "  transitive tag keys: team (passed on to every later session)",
      "  session policy: inline (24 characters)",
      "  session policy ARNs: arn:aws:iam::aws:policy/ReadOnlyAccess",
      "region: eu-west-1 (--region)",
    ]);
  });

  it("a bare role name is completed at run time; no region means the instance's on IMDS", () => {
    expect(lines({ roles: ["Deploy"], source: "imds" })).toEqual([
      "source: IMDS (instance profile)",
      "hop 1: Deploy (bare name: completed at run time with the account before this hop)",
      "  session name: {instanceId} (default)",
      "  duration: 1h (default)",
      "region: the instance's (IMDS placement/region), else us-east-1",
    ]);
  });

  it.each<[Partial<PlanInput>, Env, string]>([
    [{ source: "env", roles: ["arn:aws-cn:iam::123456789012:role/A"] }, { AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "s" }, "region: cn-north-1 (the partition's default: none was set)"],
    [{ source: "imds" }, { AWS_REGION: "eu-central-1" }, "region: eu-central-1 (AWS_REGION)"],
    [{ profile: { name: "ops", source: { kind: "imds" }, hops: [], region: "ap-south-1" } }, {}, "region: ap-south-1 (region of profile ops)"],
  ])("the region line for %j with env %j", (input, env, expected) => {
    expect(lines({ ...input, env }).at(-1)).toBe(expected);
  });

  it("a chain without hops says so", () => {
    expect(lines({ source: "imds" })).toContain("hops: none (the source credentials are the result)");
  });

  /** The duration line of hop `index` of a two-hop chain asking `duration` from `source`. */
  const durationOf = (source: SourcePlan, index: number, duration: string, env: Env = {}) => {
    const roles = [ROLE, ROLE];
    const plan = source.profile !== undefined ? buildPlan({ roles, profile: profileOf(source), duration, env }) : buildPlan({ roles, source: source.kind, duration, env });
    return describePlan(plan, env).split("\n").filter((l) => l.startsWith("  duration:"))[index];
  };

  it.each<[string, SourcePlan, number, string, Env, string]>([
    ["long-term keys: the first hop is not chained", STATIC, 0, "2h", {}, "  duration: 2h"],
    ["long-term keys: max is 12h on the first hop", STATIC, 0, "max", {}, "  duration: 12h (max)"],
    ["every later hop is chained", STATIC, 1, "2h", {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["every later hop is chained, max too", STATIC, 1, "max", {}, "  duration: 1h (max; capped at 1h, chained: its caller is a role session)"],
    ["IMDS: the first hop is chained", { kind: "imds" }, 0, "2h", {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["IMDS: max on the first hop", { kind: "imds" }, 0, "max", {}, "  duration: 1h (max; capped at 1h, chained: its caller is a role session)"],
    ["env with a session token: chained", { kind: "env" }, 0, "2h", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["env without a session token: not chained", { kind: "env" }, 0, "2h", { AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "s" }, "  duration: 2h"],
    ["credential_process: counted as chained (it may return a role session)", { kind: "process", profile: "p", command: "c" }, 0, "2h", {}, "  duration: 1h (asked 2h; capped at 1h, chained: its caller is a role session)"],
    ["under the cap: unchanged", { kind: "imds" }, 0, "30m", {}, "  duration: 30m"],
  ])("%s", (_what, source, index, duration, env, expected) => {
    expect(durationOf(source, index, duration, env)).toBe(expected);
  });

  it("default session names: {instanceId} on IMDS, {user}@{host} otherwise, the CI run's in CI (not a default)", () => {
    expect(lines({ roles: [ROLE] })).toContain("  session name: {instanceId} (default)");
    expect(lines({ roles: [ROLE], profile: profileOf(STATIC) })).toContain("  session name: {user}@{host} (default)");
    expect(lines({ roles: [ROLE], profile: profileOf(STATIC), env: { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "42" } })).toContain("  session name: gh-42-1");
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
