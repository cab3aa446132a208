import { describe, expect, it } from "vitest";
import { stsAssumeHop } from "../../src/chain/assume-hop.js";
import { runChain, type ChainDeps } from "../../src/chain/run-chain.js";
import { AccessDeniedError, BadAnswerError, NetworkError, NoCredentialsError, StsRequestError, ThrottledError } from "../../src/errors.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import { mapStsError } from "../../src/sts/map-sts-error.js";
import type { AssumeRoleInput, StsConfig } from "../../src/sts/sts-api.js";
import type { SourceResult } from "../../src/types.js";

const IMDS: SourceResult = {
  kind: "imds",
  credentials: { accessKeyId: "ASIAIMDS", secretAccessKey: "imds-secret", sessionToken: "imds-token" },
  callerArn: "arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0",
  accountId: "123456789012",
  partition: "aws",
  instanceId: "i-0123456789abcdef0",
  region: "us-east-1",
  identityKey: "imds:i-0123456789abcdef0:ExampleRole",
  isRoleSession: true,
};
const LONG_TERM: SourceResult = {
  kind: "env",
  credentials: { accessKeyId: "AKIAUSER", secretAccessKey: "user-secret" },
  identityKey: "key:AKIAUSER",
  isRoleSession: false,
};

interface Call {
  op: string;
  signer: string;
  region: string;
  input?: AssumeRoleInput;
}

/** A recording STS double: each AssumeRole returns a session of the requested role. */
function fakeSts(calls: Call[], fail?: (input: AssumeRoleInput) => unknown) {
  let n = 0;
  return (config: StsConfig) => ({
    async assumeRole(input: AssumeRoleInput) {
      calls.push({ op: "AssumeRole", signer: config.credentials!.accessKeyId, region: config.region, input });
      const err = fail?.(input);
      if (err) throw err;
      const m = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(input.roleArn)!;
      n++;
      return {
        credentials: { accessKeyId: `ASIAHOP${n}`, secretAccessKey: `secret${n}`, sessionToken: `token${n}`, expiration: new Date("2030-01-01T00:00:00Z") },
        assumedRoleArn: `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${input.roleSessionName}`,
      };
    },
    async assumeRoleWithWebIdentity(): Promise<never> {
      throw new Error("not used");
    },
    async getCallerIdentity() {
      calls.push({ op: "GetCallerIdentity", signer: config.credentials!.accessKeyId, region: config.region });
      return { account: "999999999999", arn: "arn:aws:iam::999999999999:user/alice", userId: "AIDA" };
    },
  });
}

function deps(source: SourceResult, calls: Call[], extra: Partial<ChainDeps> & { fail?: (i: AssumeRoleInput) => unknown } = {}): ChainDeps & { warnings: string[] } {
  const warnings: string[] = [];
  const sts = fakeSts(calls, extra.fail);
  return {
    source: async () => source,
    sts,
    assumeHop: stsAssumeHop(sts),
    mfaCode: async () => "123456",
    instanceId: async () => "i-fromimds",
    now: () => new Date("2026-11-21T07:30:00Z"),
    user: "ec2-user",
    host: "build-host",
    warn: (l) => warnings.push(l),
    debug: () => {},
    onCredentials: () => {},
    warnings,
    ...extra,
  };
}

describe("runChain", () => {
  it("signs each hop with the previous hop's credentials, session name = instance ID, region from IMDS", async () => {
    const calls: Call[] = [];
    const plan = buildPlan({ roles: ["arn:aws:iam::111111111111:role/Deploy", "arn:aws:iam::222222222222:role/Prod"], env: {} });
    const result = await runChain(plan, deps(IMDS, calls));
    expect(calls.map((c) => [c.signer, c.region, c.input?.roleArn, c.input?.roleSessionName, c.input?.durationSeconds])).toEqual([
      ["ASIAIMDS", "us-east-1", "arn:aws:iam::111111111111:role/Deploy", "i-0123456789abcdef0", 3600],
      ["ASIAHOP1", "us-east-1", "arn:aws:iam::222222222222:role/Prod", "i-0123456789abcdef0", 3600],
    ]);
    expect(result.credentials.accessKeyId).toBe("ASIAHOP2");
    expect(result.roleArn).toBe("arn:aws:iam::222222222222:role/Prod");
    expect(result.hops[1]!.assumedRoleArn).toBe("arn:aws:sts::222222222222:assumed-role/Prod/i-0123456789abcdef0");
  });

  it("completes bare names with the account of the identity before each hop", async () => {
    const calls: Call[] = [];
    const plan = buildPlan({ roles: ["Deploy", "arn:aws:iam::222222222222:role/Hub", "Prod"], env: {} });
    await runChain(plan, deps(IMDS, calls));
    expect(calls.map((c) => c.input?.roleArn)).toEqual([
      "arn:aws:iam::123456789012:role/Deploy",
      "arn:aws:iam::222222222222:role/Hub",
      "arn:aws:iam::222222222222:role/Prod",
    ]);
  });

  it("asks GetCallerIdentity for the account only when a bare name needs it", async () => {
    const calls: Call[] = [];
    await runChain(buildPlan({ roles: ["Deploy"], env: {} }), deps(LONG_TERM, calls));
    expect(calls.map((c) => [c.op, c.signer, c.input?.roleArn])).toEqual([
      ["GetCallerIdentity", "AKIAUSER", undefined],
      ["AssumeRole", "AKIAUSER", "arn:aws:iam::999999999999:role/Deploy"],
    ]);
    const none: Call[] = [];
    await runChain(buildPlan({ roles: ["arn:aws:iam::1:role/X".replace("1", "111111111111")], env: {} }), deps(LONG_TERM, none));
    expect(none.map((c) => c.op)).toEqual(["AssumeRole"]);
  });

  it("caps chained hops at 1h with a warning; an unchained first hop keeps its duration", async () => {
    const calls: Call[] = [];
    const d = deps(LONG_TERM, calls);
    const plan = buildPlan({ roles: ["arn:aws:iam::111111111111:role/A", "arn:aws:iam::111111111111:role/B"], duration: "2h", env: {} });
    await runChain(plan, d);
    expect(calls.map((c) => c.input?.durationSeconds)).toEqual([7200, 3600]);
    expect(d.warnings).toEqual([
      "warning: --duration 2h lowered to 1h for arn:aws:iam::111111111111:role/B: AWS caps sessions assumed by role chaining at 1 hour",
    ]);
  });

  it("asks STS whether temporary environment keys are a role session, only when the cap would matter", async () => {
    const temp: SourceResult = { ...LONG_TERM, credentials: { ...LONG_TERM.credentials, sessionToken: "t" }, isRoleSession: "unknown" };
    const calls: Call[] = [];
    await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], duration: "8h", env: {} }), deps(temp, calls));
    // GetCallerIdentity says arn:aws:iam::999999999999:user/alice: a GetSessionToken session, not chaining.
    expect(calls.map((c) => [c.op, c.input?.durationSeconds])).toEqual([
      ["GetCallerIdentity", undefined],
      ["AssumeRole", 28800],
    ]);
    const short: Call[] = [];
    await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], duration: "30m", env: {} }), deps(temp, short));
    expect(short.map((c) => c.op)).toEqual(["AssumeRole"]);
  });

  it("`max` unchained asks for 12h and steps down to 1h when the role allows less", async () => {
    const calls: Call[] = [];
    const tooLong = Object.assign(new Error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), {
      name: "ValidationError",
      $metadata: { httpStatusCode: 400 },
    });
    const d = deps(LONG_TERM, calls, { fail: (i) => (i.durationSeconds === 43200 ? tooLong : undefined) });
    const result = await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], duration: "max", env: {} }), d);
    expect(calls.map((c) => c.input?.durationSeconds)).toEqual([43200, 3600]);
    expect(result.hops[0]!.durationSeconds).toBe(3600);
  });

  it("counts IMDS credentials as a role session: the first hop is chained too", async () => {
    const calls: Call[] = [];
    const d = deps(IMDS, calls);
    await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], duration: "max", env: {} }), d);
    expect(calls[0]!.input?.durationSeconds).toBe(3600);
    expect(d.warnings).toEqual([]);
  });

  it("renders templates per hop and uses {user}@{host} off IMDS", async () => {
    const calls: Call[] = [];
    await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], env: {} }), deps(LONG_TERM, calls));
    expect(calls[0]!.input?.roleSessionName).toBe("ec2-user@build-host");
    const calls2: Call[] = [];
    const plan = buildPlan({ roles: ["arn:aws:iam::111111111111:role/A", "arn:aws:iam::222222222222:role/B"], sessionName: "{role}-{hop}-{accountId}-{instanceId}", env: {} });
    await runChain(plan, deps(LONG_TERM, calls2));
    expect(calls2.map((c) => c.input?.roleSessionName)).toEqual(["A-1-111111111111-i-fromimds", "B-2-222222222222-i-fromimds"]);
  });

  it("uses --region over the IMDS region, and the role's partition when nothing is known", async () => {
    const calls: Call[] = [];
    await runChain(buildPlan({ roles: ["arn:aws:iam::111111111111:role/A"], region: "eu-west-1", env: {} }), deps(IMDS, calls));
    expect(calls[0]!.region).toBe("eu-west-1");
    const cn: Call[] = [];
    const result = await runChain(buildPlan({ roles: ["arn:aws-cn:iam::111111111111:role/A"], env: {} }), deps(LONG_TERM, cn));
    expect(cn[0]!.region).toBe("cn-north-1");
    expect(result.plannedRegion).toBeUndefined();
  });

  it("turns AccessDenied into exit 4 naming caller and role, with both-sides hint", async () => {
    const calls: Call[] = [];
    const denied = Object.assign(new Error("User: x is not authorized"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    const d = deps(IMDS, calls, { fail: () => denied });
    const err = await runChain(buildPlan({ roles: ["arn:aws:iam::222222222222:role/Prod"], env: {} }), d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as Error).message).toContain("arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0 may not assume arn:aws:iam::222222222222:role/Prod");
    expect((err as AccessDeniedError).hint).toContain("permissions of arn:aws:iam::123456789012:role/ExampleRole must allow sts:AssumeRole");
    expect((err as AccessDeniedError).hint).toContain("trust policy of arn:aws:iam::222222222222:role/Prod must name arn:aws:iam::123456789012:role/ExampleRole");
  });

  it("names an environment caller by GetCallerIdentity when AssumeRole is denied", async () => {
    const calls: Call[] = [];
    const denied = Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    const d = deps(LONG_TERM, calls, { fail: () => denied });
    const err = await runChain(buildPlan({ roles: ["arn:aws:iam::222222222222:role/Prod"], env: {} }), d).catch((e: unknown) => e);
    expect((err as Error).message).toContain("arn:aws:iam::999999999999:user/alice may not assume");
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
