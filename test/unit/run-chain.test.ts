import { describe, expect, it } from "vitest";
import { runChain } from "../../src/chain/run-chain.js";
import { AccessDeniedError, BadAnswerError, NetworkError, NoCredentialsError, StsRequestError, ThrottledError } from "../../src/errors.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import { mapStsError } from "../../src/sts/map-sts-error.js";
import type { SourceResult } from "../../src/types.js";
import { fakeDeps, IMDS, LONG_TERM, LONG_TERM_ENV, sdkError, type StsCall } from "./chain-fakes.js";

const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";

describe("runChain", () => {
  it("signs each hop with the previous hop's credentials, session name = instance ID, region from IMDS (exported)", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: ["arn:aws:iam::111111111111:role/Deploy", "arn:aws:iam::222222222222:role/Prod"], env: {} });
    const d = fakeDeps(plan, IMDS, { calls });
    const result = await runChain(plan, d);
    expect(calls.map((c) => [c.signer, c.region, c.input?.RoleArn, c.input?.RoleSessionName, c.input?.DurationSeconds])).toEqual([
      ["ASIAIMDS", "us-east-1", "arn:aws:iam::111111111111:role/Deploy", "i-fromimds", 3600],
      ["ASIAHOP1", "us-east-1", "arn:aws:iam::222222222222:role/Prod", "i-fromimds", 3600],
    ]);
    expect(result.credentials.accessKeyId).toBe("ASIAHOP2");
    expect(result.roleArn).toBe("arn:aws:iam::222222222222:role/Prod");
    expect(result.hops.map((h) => h.assumedRoleArn)).toEqual([
      "arn:aws:sts::111111111111:assumed-role/Deploy/i-fromimds",
      "arn:aws:sts::222222222222:assumed-role/Prod/i-fromimds",
    ]);
    expect([result.region, result.exportRegion]).toEqual(["us-east-1", "us-east-1"]);
    // the instance's facts are asked because the plan needs them (chain-deps.ts asks IMDS once per fact)
    expect(new Set(d.instanceCalls)).toEqual(new Set(["instanceId", "region"]));
    // every credential obtained is handed to stderr redaction
    expect(d.protectedKeys).toEqual(["ASIAIMDS", "ASIAHOP1", "ASIAHOP2"]);
  });

  it("completes bare names with the account of the identity before each hop", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: ["Deploy", "arn:aws:iam::222222222222:role/Hub", "Prod"], env: {} });
    await runChain(plan, fakeDeps(plan, IMDS, { calls }));
    expect(calls.map((c) => [c.op, c.input?.RoleArn])).toEqual([
      ["AssumeRole", "arn:aws:iam::123456789012:role/Deploy"],
      ["AssumeRole", "arn:aws:iam::222222222222:role/Hub"],
      ["AssumeRole", "arn:aws:iam::222222222222:role/Prod"],
    ]);
  });

  it("asks GetCallerIdentity for the account only when a bare name needs it", async () => {
    const calls: StsCall[] = [];
    const bare = buildPlan({ roles: ["Deploy"], env: LONG_TERM_ENV });
    await runChain(bare, fakeDeps(bare, LONG_TERM, { calls, env: LONG_TERM_ENV }));
    expect(calls.map((c) => [c.op, c.signer, c.input?.RoleArn])).toEqual([
      ["GetCallerIdentity", "AKIAUSER", undefined],
      ["AssumeRole", "AKIAUSER", "arn:aws:iam::999999999999:role/Deploy"],
    ]);
    const none: StsCall[] = [];
    const full = buildPlan({ roles: [A], env: LONG_TERM_ENV });
    await runChain(full, fakeDeps(full, LONG_TERM, { calls: none, env: LONG_TERM_ENV }));
    expect(none.map((c) => c.op)).toEqual(["AssumeRole"]);
  });

  it("caps chained hops at 1h with a plan warning; an unchained first hop keeps its duration", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, "arn:aws:iam::111111111111:role/B"], duration: "2h", env: LONG_TERM_ENV });
    await runChain(plan, fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV }));
    expect(calls.map((c) => c.input?.DurationSeconds)).toEqual([7200, 3600]);
    expect(plan.warnings).toEqual([
      "warning: --duration 2h lowered to 1h for arn:aws:iam::111111111111:role/B: AWS caps sessions assumed by role chaining at 1 hour",
    ]);
  });

  it("temporary environment keys count as a role session without asking STS: the first hop is capped, no GetCallerIdentity", async () => {
    const env = { AWS_ACCESS_KEY_ID: "ASIATEMP", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" };
    const temp: SourceResult = { kind: "env", credentials: { accessKeyId: "ASIATEMP", secretAccessKey: "s", sessionToken: "t" } };
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A], duration: "8h", env });
    await runChain(plan, fakeDeps(plan, temp, { calls, env }));
    expect(calls.map((c) => [c.op, c.input?.DurationSeconds])).toEqual([["AssumeRole", 3600]]);
    expect(plan.warnings).toEqual([`warning: --duration 8h lowered to 1h for ${A}: AWS caps sessions assumed by role chaining at 1 hour`]);
    const short: StsCall[] = [];
    const plan30 = buildPlan({ roles: [A], duration: "30m", env });
    await runChain(plan30, fakeDeps(plan30, temp, { calls: short, env }));
    expect(short.map((c) => [c.op, c.input?.DurationSeconds])).toEqual([["AssumeRole", 1800]]);
    expect(plan30.warnings).toEqual([]);
  });

  it("`max` unchained asks for 12h and steps down to 1h when the role allows less", async () => {
    const calls: StsCall[] = [];
    const tooLong = sdkError("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const plan = buildPlan({ roles: [A], duration: "max", env: LONG_TERM_ENV });
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV, fail: (i) => (i.DurationSeconds === 43200 ? tooLong : undefined) });
    const result = await runChain(plan, d);
    expect(calls.map((c) => c.input?.DurationSeconds)).toEqual([43200, 3600]);
    expect(result.hops[0]!.durationSeconds).toBe(3600);
  });

  it("`max` does not step down on other errors: the role's answer is the user's", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A], duration: "max", env: LONG_TERM_ENV });
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV, fail: () => sdkError("ValidationError", 400, "1 validation error detected") });
    await expect(runChain(plan, d)).rejects.toBeInstanceOf(StsRequestError);
    expect(calls.map((c) => c.input?.DurationSeconds)).toEqual([43200]);
  });

  it("counts IMDS credentials as a role session: the first hop is chained too, `max` is 1h without a warning", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A], duration: "max", env: {} });
    await runChain(plan, fakeDeps(plan, IMDS, { calls }));
    expect(calls.map((c) => c.input?.DurationSeconds)).toEqual([3600]);
    expect(plan.warnings).toEqual([]);
  });

  it("renders templates per hop and uses {user}@{host} off IMDS; {instanceId} is asked of IMDS only when a template names it", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A], env: LONG_TERM_ENV });
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV });
    await runChain(plan, d);
    expect(calls[0]!.input?.RoleSessionName).toBe("ec2-user@build-host");
    expect(d.instanceCalls).toEqual([]);
    const calls2: StsCall[] = [];
    const plan2 = buildPlan({ roles: [A, B], sessionName: "{role}-{hop}-{accountId}-{instanceId}", env: LONG_TERM_ENV });
    const d2 = fakeDeps(plan2, LONG_TERM, { calls: calls2, env: LONG_TERM_ENV });
    await runChain(plan2, d2);
    expect(calls2.map((c) => c.input?.RoleSessionName)).toEqual(["A-1-111111111111-i-fromimds", "B-2-222222222222-i-fromimds"]);
    expect(new Set(d2.instanceCalls)).toEqual(new Set(["instanceId"]));
  });

  it("sends the planned parameters as the SDK names them, and the MFA code only with its serial", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({
      roles: [A, B],
      mfaSerial: "arn:aws:iam::999999999999:mfa/alice",
      externalId: "ext-123",
      sourceIdentity: "alice",
      tags: ["team=ops"],
      transitiveTags: ["team"],
      env: LONG_TERM_ENV,
    });
    await runChain(plan, fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV }));
    expect(calls.map((c) => c.input)).toStrictEqual([
      {
        DurationSeconds: 3600,
        SerialNumber: "arn:aws:iam::999999999999:mfa/alice",
        SourceIdentity: "alice",
        Tags: [{ Key: "team", Value: "ops" }],
        TransitiveTagKeys: ["team"],
        RoleArn: A,
        RoleSessionName: "ec2-user@build-host",
        TokenCode: "123456",
      },
      { DurationSeconds: 3600, ExternalId: "ext-123", SourceIdentity: "alice", RoleArn: B, RoleSessionName: "ec2-user@build-host", TokenCode: undefined },
    ]);
  });

  it("uses --region over the IMDS region (IMDS not asked), and the role's partition when nothing is known (not exported)", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A], region: "eu-west-1", env: {} });
    const d = fakeDeps(plan, IMDS, { calls });
    const set = await runChain(plan, d);
    expect(calls[0]!.region).toBe("eu-west-1");
    expect([set.region, set.exportRegion]).toEqual(["eu-west-1", "eu-west-1"]);
    expect(d.instanceCalls).toEqual(["instanceId"]);
    const cn: StsCall[] = [];
    const cnPlan = buildPlan({ roles: ["arn:aws-cn:iam::111111111111:role/A"], env: LONG_TERM_ENV });
    const result = await runChain(cnPlan, fakeDeps(cnPlan, LONG_TERM, { calls: cn, env: LONG_TERM_ENV }));
    expect(cn[0]!.region).toBe("cn-north-1");
    expect([result.region, result.exportRegion]).toEqual(["cn-north-1", undefined]);
  });

  it("a chain without hops answers the source's credentials and the planned region", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [], region: "eu-west-1", env: LONG_TERM_ENV });
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV });
    const result = await runChain(plan, d);
    expect(result).toEqual({
      hops: [],
      source: LONG_TERM,
      credentials: LONG_TERM.credentials,
      region: "eu-west-1",
      exportRegion: "eu-west-1",
      path: { source: "env", roles: [] },
    });
    expect([calls, d.sourceCalls]).toEqual([[], ["auto"]]);
  });

  it("turns AccessDenied into exit 4 naming caller and role, with both-sides hint (a known caller costs no GetCallerIdentity)", async () => {
    const calls: StsCall[] = [];
    const denied = sdkError("AccessDenied", 403, "User: x is not authorized");
    const plan = buildPlan({ roles: ["arn:aws:iam::222222222222:role/Prod"], env: {} });
    const err = await runChain(plan, fakeDeps(plan, IMDS, { calls, fail: () => denied })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as Error).message).toContain("arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0 may not assume arn:aws:iam::222222222222:role/Prod");
    expect((err as AccessDeniedError).hint).toContain("permissions of arn:aws:iam::123456789012:role/ExampleRole must allow sts:AssumeRole");
    expect((err as AccessDeniedError).hint).toContain("trust policy of arn:aws:iam::222222222222:role/Prod must name arn:aws:iam::123456789012:role/ExampleRole");
    expect(calls.map((c) => c.op)).toEqual(["AssumeRole"]);
  });

  it("names an environment caller by one GetCallerIdentity, signed by that caller, when AssumeRole is denied", async () => {
    const calls: StsCall[] = [];
    const denied = sdkError("AccessDenied", 403, "denied");
    const plan = buildPlan({ roles: ["arn:aws:iam::222222222222:role/Prod"], env: LONG_TERM_ENV });
    const err = await runChain(plan, fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV, fail: () => denied })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as Error).message).toContain("arn:aws:iam::999999999999:user/alice may not assume arn:aws:iam::222222222222:role/Prod");
    expect(calls.map((c) => [c.op, c.signer])).toEqual([
      ["AssumeRole", "AKIAUSER"],
      ["GetCallerIdentity", "AKIAUSER"],
    ]);
  });
});

describe("mapStsError", () => {
  const ctx = { operation: "AssumeRole", roleArn: "arn:aws:iam::1:role/R", endpoint: "http://127.0.0.1:1" };
  const sdkError = (name: string, status?: number, message = "m") =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 3 } });
  it.each([
    [sdkError("Throttling", 400), ThrottledError, "STS throttled (Throttling) on AssumeRole arn:aws:iam::1:role/R after 3 attempts"],
    [sdkError("ServiceUnavailable", 503), ThrottledError, "unavailable (HTTP 503)"],
    [sdkError("ExpiredToken", 400), NoCredentialsError, "have expired"],
    [sdkError("InvalidClientTokenId", 403), NoCredentialsError, "rejected the credentials"],
    [sdkError("SignatureDoesNotMatch", 403), NoCredentialsError, "rejected the credentials"],
    [Object.assign(new Error("fetch failed"), { code: "ECONNREFUSED" }), NetworkError, "could not be reached at http://127.0.0.1:1"],
    [sdkError("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), StsRequestError, "exceeds the MaxSessionDuration"],
    [sdkError("RegionDisabledException", 403), StsRequestError, "not activated"],
    [sdkError("AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code."), AccessDeniedError, "the MFA code for arn:aws:iam::1:role/R was refused"],
    [sdkError("RequestTimeout", undefined), NetworkError, "did not answer AssumeRole arn:aws:iam::1:role/R in time (RequestTimeout, 3 attempts)"],
    // The SDK names a reset connection TimeoutError; its errno says what happened.
    [Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET", $metadata: { attempts: 1 } }), NetworkError, "closed the connection without answering AssumeRole arn:aws:iam::1:role/R (ECONNRESET)"],
    [Object.assign(new Error("timed out"), { name: "TimeoutError", code: "ETIMEDOUT", $metadata: { attempts: 2 } }), NetworkError, "did not answer AssumeRole arn:aws:iam::1:role/R in time (ETIMEDOUT, 2 attempts)"],
    // Already explained by create-sts.ts: passed through unchanged.
    [new BadAnswerError("STS answered AssumeRole X with no Credentials (HTTP 200 text/xml)"), BadAnswerError, "STS answered AssumeRole X with no Credentials"],
  ])("%s → %s", (err, type, message) => {
    const mapped = mapStsError(err, ctx);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toContain(message);
  });
});
