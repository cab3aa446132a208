import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/plan/build-plan.js";
import { decideDuration, parseDuration } from "../../src/plan/parse-duration.js";
import { parseIdentityArn, parseRoleArn, parseRoleRef, partitionOfRegion } from "../../src/plan/role-arn.js";
import { renderSessionName, sanitizeSessionName, sessionTime, templateTokens } from "../../src/plan/session-name.js";
import { ConfigError, UsageError } from "../../src/errors.js";
import type { RegionPlan } from "../../src/types.js";
import { checkSessionPolicy } from "../../src/plan/session-policy.js";

describe("parseDuration", () => {
  it.each([
    ["900", 900],
    ["3600", 3600],
    ["15m", 900],
    ["1h", 3600],
    ["1h30m", 5400],
    ["2h", 7200],
    ["12h", 43200],
    ["1h0m30s", 3630],
    [" 1H ", 3600],
    ["max", "max"],
  ])("%s → %s", (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(["", "10m", "899", "12h1s", "1d", "h", "1.5h", "-900", "1h 30m", "30m1h"])("rejects %j with a usage error naming the input", (input) => {
    expect(() => parseDuration(input)).toThrow(UsageError);
    expect(() => parseDuration(input)).toThrow(`--duration '${input}'`);
  });
});

describe("decideDuration", () => {
  it.each([
    [undefined, false, 3600, undefined],
    [undefined, true, 3600, undefined],
    ["max" as const, false, 43200, undefined],
    ["max" as const, true, 3600, undefined],
    [7200, false, 7200, undefined],
    [7200, true, 3600, 7200],
    [900, true, 900, undefined],
    [3600, true, 3600, undefined],
  ])("requested %s chained=%s → %s (capped from %s)", (requested, chained, seconds, cappedFrom) => {
    expect(decideDuration(requested, chained)).toEqual({ seconds, ...(cappedFrom ? { cappedFrom } : {}) });
  });
});

describe("role ARNs", () => {
  it.each([
    ["arn:aws:iam::111111111111:role/Deploy", { partition: "aws", accountId: "111111111111", pathAndName: "Deploy", name: "Deploy" }],
    ["arn:aws-cn:iam::111111111111:role/a/b/Deploy", { partition: "aws-cn", accountId: "111111111111", pathAndName: "a/b/Deploy", name: "Deploy" }],
    ["arn:aws-us-gov:iam::111111111111:role/x+=,.@-_", { partition: "aws-us-gov", accountId: "111111111111", pathAndName: "x+=,.@-_", name: "x+=,.@-_" }],
  ])("parses %s", (arn, parts) => {
    expect(parseRoleArn(arn)).toEqual(parts);
  });

  it.each([
    "arn:aws:iam::11111111111:role/Deploy",
    "arn:aws:iam::111111111111:user/Deploy",
    "arn:aws:sts::111111111111:assumed-role/Deploy/s",
    "arn:aws:iam::111111111111:role/",
    "arn:aws:iam::111111111111:role/has space",
  ])("refuses %s as a ROLE", (arn) => {
    expect(parseRoleArn(arn)).toBeUndefined();
    expect(() => parseRoleRef(arn)).toThrow(/is not a role ARN/);
  });

  it("takes bare names and paths, refuses junk", () => {
    expect(parseRoleRef("Deploy")).toEqual({ kind: "name", name: "Deploy" });
    expect(parseRoleRef("team/Deploy")).toEqual({ kind: "name", name: "team/Deploy" });
    expect(() => parseRoleRef("De ploy")).toThrow(/ROLE 'De ploy' is neither/);
    expect(() => parseRoleRef("x".repeat(65))).toThrow(UsageError);
  });

  it.each([
    ["arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0", "aws", "123456789012", "arn:aws:iam::123456789012:role/ExampleRole"],
    ["arn:aws-cn:sts::123456789012:assumed-role/R/s", "aws-cn", "123456789012", "arn:aws-cn:iam::123456789012:role/R"],
    ["arn:aws:iam::123456789012:user/alice", "aws", "123456789012", "arn:aws:iam::123456789012:user/alice"],
  ])("identity %s → partition %s account %s principal %s", (arn, partition, accountId, principalArn) => {
    expect(parseIdentityArn(arn)).toEqual({ partition, accountId, principalArn });
  });

  it.each([
    ["us-east-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["eu-west-3", "aws"],
    ["us-isof-south-1", "aws-iso-f"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["us-isob-east-1", "aws-iso-b"],
    ["us-iso-east-1", "aws-iso"],
  ])("region %s is in partition %s", (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});

describe("session names", () => {
  const vars = {
    instanceId: "i-0123456789abcdef0",
    accountId: "222222222222",
    region: "eu-west-1",
    user: "ec2-user",
    host: "ip-10-0-0-1.ec2.internal",
    role: "Prod",
    hop: "2",
    time: "20261121T073000Z",
  };
  it.each([
    ["{instanceId}", "i-0123456789abcdef0"],
    ["{user}@{host}", "ec2-user@ip-10-0-0-1.ec2.internal"],
    ["deploy-{role}-{hop}", "deploy-Prod-2"],
    ["{accountId}.{region}", "222222222222.eu-west-1"],
    ["cron {time}", "cron-20261121T073000Z"],
    ["ünïcode/{role}", "-n-code-Prod"],
  ])("%s → %s", (template, expected) => {
    expect(renderSessionName(template, vars)).toBe(expected);
  });

  it("truncates to 64 characters and refuses fewer than 2", () => {
    expect(renderSessionName("{host}".repeat(5), vars)).toHaveLength(64);
    expect(() => renderSessionName("x", vars)).toThrow(/needs 2 to 64 characters/);
  });

  it("rejects unknown tokens up front and names them", () => {
    expect(() => templateTokens("{instance}")).toThrow("unknown token {instance}");
    expect(templateTokens("{role}-{hop}-{role}")).toEqual(["role", "hop"]);
  });

  it("sanitises to the RoleSessionName alphabet", () => {
    expect(sanitizeSessionName("a b$c\n'd`e")).toBe("a-b-c--d-e");
    expect(sessionTime(new Date("2026-11-21T07:30:00.123Z"))).toBe("20261121T073000Z");
  });
});

describe("buildPlan", () => {
  const env = {};
  it("plans each ROLE as a hop: duration on every hop, external id on the last, MFA on the first", () => {
    const plan = buildPlan({
      roles: ["arn:aws:iam::111111111111:role/Deploy", "Prod"],
      externalId: "ext-123",
      mfaSerial: "arn:aws:iam::111111111111:mfa/alice",
      duration: "30m",
      env,
    });
    expect(plan).toStrictEqual({
      source: { kind: "auto" },
      effectiveSource: "imds",
      region: { kind: "imds", fallback: "us-east-1" },
      warnings: [],
      hops: [
        {
          role: { kind: "arn", arn: "arn:aws:iam::111111111111:role/Deploy" },
          sessionTemplate: "{instanceId}",
          chained: true,
          params: { DurationSeconds: 1800, SerialNumber: "arn:aws:iam::111111111111:mfa/alice" },
          askedDuration: 1800,
          durationFallback: undefined,
          profile: undefined,
        },
        {
          role: { kind: "name", name: "Prod" },
          sessionTemplate: "{instanceId}",
          chained: true,
          params: { DurationSeconds: 1800, ExternalId: "ext-123" },
          askedDuration: 1800,
          durationFallback: undefined,
          profile: undefined,
        },
      ],
    });
  });

  it("puts a profile's hops first and lets its own values win over flags", () => {
    const profile = {
      name: "deploy",
      source: { kind: "imds" as const },
      region: "eu-west-1",
      hops: [{ role: { kind: "arn" as const, arn: "arn:aws:iam::111111111111:role/Deploy" }, sessionName: "fixed", externalId: "from-profile", profile: "deploy" }],
    };
    const plan = buildPlan({ roles: ["Prod"], profile, sessionName: "{role}", externalId: "flag", tags: ["team=ops"], env });
    expect(plan.source).toEqual({ kind: "imds" });
    expect(plan.region).toEqual({ kind: "set", region: "eu-west-1", origin: "region of profile deploy" });
    expect(plan.hops.map((h) => [h.profile, h.sessionTemplate, h.params.ExternalId, h.params.Tags])).toEqual([
      ["deploy", "fixed", "from-profile", [{ Key: "team", Value: "ops" }]],
      [undefined, "{role}", "flag", [{ Key: "team", Value: "ops" }]],
    ]);
    expect(buildPlan({ roles: [], profile, region: "us-west-2", env }).region).toEqual({ kind: "set", region: "us-west-2", origin: "--region" });
    expect(() => buildPlan({ roles: [], profile, source: "imds", env })).toThrow("--source imds and --profile deploy both name");
  });

  it("tags and source identity on every hop; transitive tags sent once, then inherited; session policies on the last hop", () => {
    const plan = buildPlan({
      roles: ["A", "B", "C"],
      tags: ["Team=ops", "Env=prod", "CostCenter=42"],
      transitiveTags: ["env", "CostCenter"],
      sourceIdentity: "alice",
      policy: '{"Version":"2012-10-17"}',
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      env,
    });
    const team = { Key: "Team", Value: "ops" };
    const p = (h: (typeof plan.hops)[number]) => [h.params.Tags, h.params.TransitiveTagKeys, h.params.SourceIdentity, h.params.Policy, h.params.PolicyArns];
    expect(plan.hops.map(p)).toEqual([
      [[team, { Key: "Env", Value: "prod" }, { Key: "CostCenter", Value: "42" }], ["Env", "CostCenter"], "alice", undefined, undefined],
      [[team], undefined, "alice", undefined, undefined],
      [[team], undefined, "alice", '{"Version":"2012-10-17"}', [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }]],
    ]);
    const allTransitive = buildPlan({ roles: ["A", "B"], tags: ["Env=prod"], transitiveTags: ["Env"], env });
    expect(allTransitive.hops.map((h) => [h.params.Tags, h.params.TransitiveTagKeys])).toEqual([
      [[{ Key: "Env", Value: "prod" }], ["Env"]],
      [undefined, undefined],
    ]);
  });

  it.each([
    [{ tags: ["a=b=c"] }, [{ key: "a", value: "b=c" }]],
    [{ tags: ["empty="] }, [{ key: "empty", value: "" }]],
    [{ tags: ["Kostenstelle=Ü 42:/@+-_."] }, [{ key: "Kostenstelle", value: "Ü 42:/@+-_." }]],
    [{ tags: [`${"k".repeat(128)}=${"v".repeat(256)}`] }, [{ key: "k".repeat(128), value: "v".repeat(256) }]],
    [{ tags: Array.from({ length: 50 }, (_, i) => `k${i}=v`) }, Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: "v" }))],
  ])("accepts tags at AWS's limits: %#", (flags, tags) => {
    expect(buildPlan({ roles: ["Deploy"], env, ...flags }).hops[0]!.params.Tags).toEqual(tags.map((t) => ({ Key: t.key, Value: t.value })));
  });

  it.each([
    [{ tags: ["=v"] }, "--tag '=v': the key before = is empty"],
    [{ tags: ["bad!key=v"] }, "--tag 'bad!key=v': the key must be 1-128 letters"],
    [{ tags: [`${"k".repeat(129)}=v`] }, "the key must be 1-128"],
    [{ tags: [`k=${"v".repeat(257)}`] }, "the value must be at most 256"],
    [{ tags: ["k=a;b"] }, "--tag 'k=a;b': the value must be"],
    [{ tags: Array.from({ length: 51 }, (_, i) => `k${i}=v`) }, "--tag: 51 tags; AWS allows at most 50 session tags"],
    [{ tags: ["Team=a", "team=b"] }, "--tag 'team=b': key team is already given by --tag 'Team=a' (tag keys are case-insensitive)"],
    [{ tags: ["Team=a"], transitiveTags: ["Env"] }, "--transitive-tag 'Env': must name the key of a --tag KEY=VALUE"],
    [{ transitiveTags: ["Env"] }, "--transitive-tag 'Env'"],
    [{ policyArns: ["garbage"] }, "--policy-arn 'garbage': must be an IAM managed policy ARN"],
    [{ policyArns: ["arn:aws:iam::123456789012:policy/has space"] }, "--policy-arn"],
    [{ policyArns: ["arn:aws:s3:::bucket/policy/x"] }, "--policy-arn"],
    [{ policyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) }, "--policy-arn: 11 policies; AWS allows at most 10"],
    [{ sourceIdentity: "a" }, "--source-identity 'a'"],
    [{ sourceIdentity: "x".repeat(65) }, "--source-identity"],
    [{ sourceIdentity: "has space" }, "--source-identity 'has space'"],
  ])("refuses session flags outside AWS's limits: %j", (flags, message) => {
    expect(() => buildPlan({ roles: ["Deploy"], env, ...flags })).toThrow(UsageError);
    expect(() => buildPlan({ roles: ["Deploy"], env, ...flags })).toThrow(message);
  });

  it.each([
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::123456789012:policy/team/path/Deploy-Limits_v2",
    "arn:aws-cn:iam::123456789012:policy/P",
    "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
  ])("accepts the policy ARN %s", (arn) => {
    expect(buildPlan({ roles: ["Deploy"], policyArns: [arn], env }).hops[0]!.params.PolicyArns).toEqual([{ arn }]);
  });

  it("session flags without any hop to carry them are refused, naming them", () => {
    expect(() => buildPlan({ roles: [], tags: ["a=b"], sourceIdentity: "alice", env })).toThrow(
      "--source-identity, --tag: apply to AssumeRole, but there is no ROLE (or profile with role_arn) to assume",
    );
    expect(() => buildPlan({ roles: [], policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], env })).toThrow("--policy-arn: applies to AssumeRole");
  });

  it("session policies go on the last hop only; source identity and tags on every hop", () => {
    const plan = buildPlan({
      roles: ["arn:aws:iam::111111111111:role/A", "arn:aws:iam::222222222222:role/B"],
      sourceIdentity: "alice",
      tags: ["team=ops"],
      policy: '{"Version":"2012-10-17","Statement":[]}',
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      env,
    });
    expect(plan.hops.map((h) => h.params)).toStrictEqual([
      { DurationSeconds: 3600, SourceIdentity: "alice", Tags: [{ Key: "team", Value: "ops" }] },
      {
        DurationSeconds: 3600,
        SourceIdentity: "alice",
        Tags: [{ Key: "team", Value: "ops" }],
        Policy: '{"Version":"2012-10-17","Statement":[]}',
        PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      },
    ]);
  });

  it.each<[Record<string, string>, Record<string, string>, RegionPlan]>([
    [{ region: "eu-west-1" }, { AWS_REGION: "us-west-2" }, { kind: "set", region: "eu-west-1", origin: "--region" }],
    [{}, { AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "eu-central-1" }, { kind: "set", region: "us-west-2", origin: "AWS_REGION" }],
    [{}, { AWS_DEFAULT_REGION: "eu-central-1" }, { kind: "set", region: "eu-central-1", origin: "AWS_DEFAULT_REGION" }],
    [{}, { AWS_REGION: "" }, { kind: "imds", fallback: "us-east-1" }],
    [{ source: "env" }, {}, { kind: "default", region: "us-east-1" }],
  ])("region from flags %j and env %j → %j", (flags, envVars, region) => {
    expect(buildPlan({ roles: [], ...flags, env: envVars }).region).toEqual(region);
  });

  it("with nothing set, the region defaults to the partition of the first role (the instance's first on IMDS)", () => {
    expect(buildPlan({ roles: ["arn:aws-cn:iam::111111111111:role/A"], source: "env", env }).region).toEqual({ kind: "default", region: "cn-north-1" });
    expect(buildPlan({ roles: ["arn:aws-us-gov:iam::111111111111:role/A"], env }).region).toEqual({ kind: "imds", fallback: "us-gov-west-1" });
    expect(buildPlan({ roles: ["Deploy"], source: "env", env }).region).toEqual({ kind: "default", region: "us-east-1" });
  });

  it.each([
    [{ source: "profile" }, "--source profile needs --profile NAME"],
    [{ source: "sideways" }, "--source 'sideways'"],
    [{ tags: ["novalue"] }, "--tag 'novalue': expected KEY=VALUE"],
    [{ tags: ["noequals"], policyArns: ["garbage"] }, "--tag 'noequals': expected KEY=VALUE"],
    [{ mfaSerial: "short" }, "--mfa-serial 'short'"],
    [{ sourceIdentity: "aws:me" }, "--source-identity 'aws:me'"],
    [{ policyArns: ["arn:aws:iam::123456789012:role/x"] }, "--policy-arn"],
    [{ sessionName: "{nope}" }, "unknown token {nope}"],
    [{ duration: "5m" }, "--duration '5m'"],
    [{ externalId: "x" }, "--external-id"],
    [{ region: "mars" }, "--region 'mars'"],
    [{ env: { AWS_REGION: "Moon" } }, "AWS_REGION 'Moon'"],
  ])("rejects %j", (flags, message) => {
    expect(() => buildPlan({ roles: ["Deploy"], env, ...flags })).toThrow(message);
  });

  it("a bad region from the environment is a configuration error (exit 8), from the flag a usage error (exit 2)", () => {
    expect(() => buildPlan({ roles: [], env: { AWS_DEFAULT_REGION: "Moon" } })).toThrow(ConfigError);
    expect(() => buildPlan({ roles: [], region: "Moon", env })).toThrow(UsageError);
  });
});

describe("checkSessionPolicy (the --policy file's text)", () => {
  it("trims and returns a JSON object of at most 2048 characters", () => {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    expect(checkSessionPolicy(`\n  ${doc}\n`, "p.json")).toBe(doc);
    const big = JSON.stringify({ Sid: "x".repeat(2048 - 10) });
    expect(big).toHaveLength(2048);
    expect(checkSessionPolicy(big, "p.json")).toBe(big);
  });

  it.each([
    ["not json", "--policy 'p.json': not valid JSON"],
    ["", "--policy 'p.json': not valid JSON"],
    ["[1,2]", "--policy 'p.json': must be a JSON object"],
    ['"text"', "--policy 'p.json': must be a JSON object"],
    ["null", "--policy 'p.json': must be a JSON object"],
    [JSON.stringify({ Sid: "x".repeat(2048) }), "--policy 'p.json': 2058 characters; AWS allows at most 2048 in a session policy"],
    [JSON.stringify({ Sid: "snow☃" }), "--policy 'p.json': contains U+2603"],
  ])("refuses %j", (text, message) => {
    expect(() => checkSessionPolicy(text, "p.json")).toThrow(UsageError);
    expect(() => checkSessionPolicy(text, "p.json")).toThrow(message);
  });
});
