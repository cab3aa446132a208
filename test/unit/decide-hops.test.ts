/** decideHops: every per-hop decision the plan makes (chained, DurationSeconds and its warning, templates, SDK-shaped params). */
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanInput, type ProfilePlan } from "../../src/plan/build-plan.js";
import { decideHops, type HopContext } from "../../src/plan/decide-hops.js";
import type { HopPlan, SourcePlan } from "../../src/types.js";

const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";
const C = "arn:aws:iam::333333333333:role/C";
const hop = (arn: string, extra: Partial<HopPlan> = {}): HopPlan => ({ role: { kind: "arn", arn }, ...extra });
const LONG_TERM: HopContext = { source: "env", sourceIsRoleSession: false };
const ROLE_SESSION: HopContext = { source: "imds", sourceIsRoleSession: true };
const capped = (origin: string, asked: string, arn: string) =>
  `warning: ${origin === "--duration" ? `--duration ${asked}` : `${origin} (${asked})`} lowered to 1h for ${arn}: AWS caps sessions assumed by role chaining at 1 hour`;

describe("decideHops: chained", () => {
  it.each<[string, HopContext, boolean[]]>([
    ["long-term source: only later hops", LONG_TERM, [false, true, true]],
    ["role-session source: every hop", ROLE_SESSION, [true, true, true]],
  ])("%s", (_what, ctx, chained) => {
    expect(decideHops([hop(A), hop(B), hop(C)], ctx).hops.map((h) => h.chained)).toEqual(chained);
  });

  const profile = (source: SourcePlan): ProfilePlan => ({ name: "p", source, hops: [] });
  const KEYS = { AWS_ACCESS_KEY_ID: "AKIAUSER", AWS_SECRET_ACCESS_KEY: "s" };
  // per source kind, through buildPlan: is the first hop chained (its caller a role session)?
  it.each<[string, Partial<PlanInput>, boolean]>([
    ["auto, nothing set → IMDS", { env: {} }, true],
    ["--source imds", { source: "imds", env: {} }, true],
    ["environment long-term keys", { env: KEYS }, false],
    ["environment temporary keys (ASIA + session token)", { env: { AWS_ACCESS_KEY_ID: "ASIAUSER", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" } }, true],
    ["environment temporary keys (AWS_SECURITY_TOKEN)", { env: { AWS_ACCESS_KEY_ID: "ASIAUSER", AWS_SECRET_ACCESS_KEY: "s", AWS_SECURITY_TOKEN: "t" } }, true],
    ["environment AKIA key with a stray session token", { env: { ...KEYS, AWS_SESSION_TOKEN: "t" } }, false],
    ["container", { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c" } }, true],
    ["web identity (token file + AWS_ROLE_ARN)", { env: { AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: C } }, true],
    ["profile static keys", { profile: profile({ kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "s" } }), env: {} }, false],
    ["profile static keys with a session token", { profile: profile({ kind: "static", profile: "p", credentials: { accessKeyId: "ASIAP", secretAccessKey: "s", sessionToken: "t" } }), env: {} }, true],
    [
      "profile long-term keys with mfa_serial (an MFA session: GetSessionToken's session signs the first hop)",
      { profile: { ...profile({ kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "s" } }), mfaSession: { profile: "p", serial: "arn:aws:iam::111111111111:mfa/u" } }, env: {} },
      true,
    ],
    ["credential_process", { profile: profile({ kind: "process", profile: "p", command: "c" }), env: {} }, true],
    ["SSO", { profile: profile({ kind: "sso", profile: "p", settings: { sso_start_url: "https://x", sso_account_id: "111111111111", sso_role_name: "R" } }), env: {} }, true],
  ])("%s: first hop chained = %s", (_what, input, chained) => {
    const plan = buildPlan({ roles: [A, B], ...input, env: input.env ?? {} });
    expect(plan.hops.map((h) => h.chained)).toEqual([chained, true]);
  });
});

describe("decideHops: DurationSeconds", () => {
  it.each<[string, HopContext, HopPlan["duration"], number[], (number | undefined)[]]>([
    ["default: 1h everywhere", LONG_TERM, undefined, [3600, 3600], [undefined, undefined]],
    ["under the cap: as asked", ROLE_SESSION, 1800, [1800, 1800], [undefined, undefined]],
    ["over the cap: kept unchained, capped chained", LONG_TERM, 7200, [7200, 3600], [undefined, undefined]],
    ["max unchained: 12h with the 1h fallback; chained: 1h", LONG_TERM, "max", [43200, 3600], [3600, undefined]],
    ["max from a role session: 1h, no fallback", ROLE_SESSION, "max", [3600, 3600], [undefined, undefined]],
  ])("%s", (_what, ctx, duration, seconds, fallback) => {
    const { hops } = decideHops([hop(A, { duration }), hop(B, { duration })], ctx);
    expect(hops.map((h) => h.params.DurationSeconds)).toEqual(seconds);
    expect(hops.map((h) => h.durationFallback)).toEqual(fallback);
    expect(hops.map((h) => h.askedDuration)).toEqual([duration, duration]);
  });

  it("a capped duration is one warning per hop, naming the role and where the duration came from", () => {
    const { warnings } = decideHops(
      [hop(A, { duration: 7200, durationOrigin: "duration_seconds of profile base" }), hop(B, { duration: 7200, durationOrigin: "duration_seconds of profile deploy" }), hop(C, { duration: 5400 })],
      ROLE_SESSION,
    );
    expect(warnings).toEqual([
      capped("duration_seconds of profile base", "2h", A),
      capped("duration_seconds of profile deploy", "2h", B),
      capped("--duration", "1h30m", C),
    ]);
  });

  it("`max`, the default and durations under the cap never warn", () => {
    const hops = [hop(A, { duration: "max" }), hop(B), hop(C, { duration: 3600 })];
    expect(decideHops(hops, ROLE_SESSION).warnings).toEqual([]);
  });

  it("through buildPlan: --duration on a profile hop without duration_seconds, the profile's own value otherwise", () => {
    const profile: ProfilePlan = {
      name: "deploy",
      source: { kind: "imds", profile: "deploy" },
      hops: [
        { role: { kind: "arn", arn: A }, duration: 10800, durationOrigin: "duration_seconds of profile deploy", profile: "deploy" },
        { role: { kind: "arn", arn: B }, durationOrigin: "duration_seconds of profile hub", profile: "hub" },
      ],
    };
    const plan = buildPlan({ roles: [C], profile, duration: "2h", env: {} });
    expect(plan.warnings).toEqual([capped("duration_seconds of profile deploy", "3h", A), capped("--duration", "2h", B), capped("--duration", "2h", C)]);
    expect(plan.hops.map((h) => [h.askedDuration, h.params.DurationSeconds])).toEqual([
      [10800, 3600],
      [7200, 3600],
      [7200, 3600],
    ]);
  });
});

describe("decideHops: session-name template", () => {
  it.each<[string, Partial<HopPlan>, HopContext, string]>([
    ["the hop's own", { sessionName: "{role}-{hop}" }, { ...ROLE_SESSION, ciSessionName: "gh-1-1" }, "{role}-{hop}"],
    ["else the CI run", {}, { ...ROLE_SESSION, ciSessionName: "gh-1-1" }, "gh-1-1"],
    ["else {instanceId} on IMDS", {}, ROLE_SESSION, "{instanceId}"],
    ["else {user}@{host}", {}, LONG_TERM, "{user}@{host}"],
    ["{user}@{host} from a container too", {}, { source: "container", sourceIsRoleSession: true }, "{user}@{host}"],
  ])("%s", (_what, extra, ctx, template) => {
    expect(decideHops([hop(A, extra)], ctx).hops[0]!.sessionTemplate).toBe(template);
  });
});

describe("decideHops: parameters as the SDK names them", () => {
  it("maps every field, and omits (not undefined) what is not set", () => {
    const { hops } = decideHops(
      [
        hop(A, {
          duration: 900,
          externalId: "ext",
          mfaSerial: "arn:aws:iam::111111111111:mfa/me",
          sourceIdentity: "me",
          tags: [{ key: "team", value: "ops" }],
          transitiveTagKeys: ["team"],
          policy: "{}",
          policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        }),
        hop(B, { tags: [], policyArns: [], transitiveTagKeys: [] }),
      ],
      LONG_TERM,
    );
    expect(hops[0]!.params).toStrictEqual({
      DurationSeconds: 900,
      ExternalId: "ext",
      SerialNumber: "arn:aws:iam::111111111111:mfa/me",
      SourceIdentity: "me",
      Tags: [{ Key: "team", Value: "ops" }],
      TransitiveTagKeys: ["team"],
      Policy: "{}",
      PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    });
    expect(hops[1]!.params).toStrictEqual({ DurationSeconds: 3600 });
    expect(Object.keys(hops[1]!.params)).toEqual(["DurationSeconds"]);
  });

  it("a transitive tag is sent on the hop that makes it transitive and never again (AWS refuses inherited keys)", () => {
    const plan = buildPlan({ roles: [A, B, C], tags: ["team=ops", "env=prod"], transitiveTags: ["team"], env: {} });
    expect(plan.hops.map((h) => [h.params.Tags, h.params.TransitiveTagKeys])).toEqual([
      [[{ Key: "team", Value: "ops" }, { Key: "env", Value: "prod" }], ["team"]],
      [[{ Key: "env", Value: "prod" }], undefined],
      [[{ Key: "env", Value: "prod" }], undefined],
    ]);
  });

  it("tag keys compare without case, as AWS compares them", () => {
    const { hops } = decideHops(
      [
        hop(A, { tags: [{ key: "Team", value: "ops" }], transitiveTagKeys: ["Team"] }),
        hop(B, { tags: [{ key: "TEAM", value: "dev" }, { key: "Cost", value: "1" }], transitiveTagKeys: ["team", "Cost"] }),
        hop(C, { tags: [{ key: "cost", value: "2" }, { key: "team", value: "x" }] }),
      ],
      LONG_TERM,
    );
    expect(hops.map((h) => [h.params.Tags, h.params.TransitiveTagKeys])).toEqual([
      [[{ Key: "Team", Value: "ops" }], ["Team"]],
      [[{ Key: "Cost", Value: "1" }], ["Cost"]],
      [undefined, undefined],
    ]);
  });

  it("role and profile are carried as planned", () => {
    const { hops } = decideHops([{ role: { kind: "name", name: "team/Deploy" }, profile: "deploy" }], LONG_TERM);
    expect([hops[0]!.role, hops[0]!.profile]).toEqual([{ kind: "name", name: "team/Deploy" }, "deploy"]);
  });
});
