/**
 * The chain pulls from the end (issue 8 §2): the final hop is asked first, and a hop answered by the cache never asks
 * its caller. Runs the real runner behind the real cache (withCache on a temp directory) with a recording STS.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnswerHop } from "../../src/chain/assume-hop.js";
import { runChain } from "../../src/chain/run-chain.js";
import { withCache } from "../../src/cache/with-cache.js";
import { AccessDeniedError, NoCredentialsError } from "../../src/errors.js";
import { buildPlan, type PlanInput } from "../../src/plan/build-plan.js";
import { fsContext } from "../fixtures/credentials/test-context.js";
import { fakeDeps, IMDS, LONG_TERM, LONG_TERM_ENV, sdkError, type StsCall } from "./chain-fakes.js";

const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";
const C = "arn:aws:iam::333333333333:role/C";

function cacheIn(dir: string): AnswerHop {
  return withCache({ env: fsContext(), dir, mode: "use", marginMs: 600_000, warn: (l) => expect.fail(`unexpected warning: ${l}`), debug: () => {} });
}

/** Records the order in which hops are asked and run, around whatever answers them. */
function tracing(inner: AnswerHop, log: string[]): AnswerHop {
  return (call) => {
    log.push(`ask ${call.label}`);
    return inner({ ...call, run: () => (log.push(`run ${call.label}`), call.run()) });
  };
}

const NO_SOURCE = new NoCredentialsError("the source must not be asked on a cache hit");

describe("runChain pulls from the end", () => {
  it("nothing cached: the source once, each hop once in order, each signed by its caller; the final hop is asked first", async () => {
    const calls: StsCall[] = [];
    const log: string[] = [];
    const plan = buildPlan({ roles: [A, B, C], env: {} });
    const d = fakeDeps(plan, IMDS, { calls, answerHop: tracing((c) => c.run(), log) });
    const result = await runChain(plan, d);
    expect(d.sourceCalls).toEqual(["auto"]);
    expect(calls.map((c) => [c.signer, c.input?.RoleArn])).toEqual([
      ["ASIAIMDS", A],
      ["ASIAHOP1", B],
      ["ASIAHOP2", C],
    ]);
    expect(log).toEqual([`ask ${C}`, `run ${C}`, `ask ${B}`, `run ${B}`, `ask ${A}`, `run ${A}`]);
    expect(result.hops.map((h) => h.roleArn)).toEqual([A, B, C]);
    expect(result.source).toBe(IMDS);
  });

  it("cached final hop: no source, no STS call, no IMDS fact; the result is the entry, with its region", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pull-")), "assume-role");
    const input: PlanInput = { roles: [A, B], env: {} };
    const first = buildPlan(input);
    const warm = await runChain(first, fakeDeps(first, IMDS, { calls: [], answerHop: cacheIn(dir) }));
    expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(2);

    const calls: StsCall[] = [];
    const plan = buildPlan(input);
    const d = fakeDeps(plan, NO_SOURCE, { calls, answerHop: cacheIn(dir) });
    const result = await runChain(plan, d);
    expect([d.sourceCalls, calls, d.instanceCalls]).toEqual([[], [], []]);
    expect(result.source).toBeUndefined();
    expect(result.hops).toEqual([{ ...warm.hops[1], cached: true }]);
    expect(result.credentials).toEqual(warm.credentials);
    expect([result.roleArn, result.region, result.exportRegion]).toEqual([B, "us-east-1", "us-east-1"]);
    // the cached credentials still go to stderr redaction
    expect(d.protectedKeys).toEqual([warm.credentials.accessKeyId]);
  });

  it("cached first hop only (a chain sharing it): no source, one STS call signed with the cached hop's keys", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pull-")), "assume-role");
    const short = buildPlan({ roles: [A], env: LONG_TERM_ENV });
    const warm = await runChain(short, fakeDeps(short, LONG_TERM, { calls: [], env: LONG_TERM_ENV, answerHop: cacheIn(dir) }));

    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, B], env: LONG_TERM_ENV });
    const d = fakeDeps(plan, NO_SOURCE, { calls, env: LONG_TERM_ENV, answerHop: cacheIn(dir) });
    const result = await runChain(plan, d);
    expect(d.sourceCalls).toEqual([]);
    expect(calls.map((c) => [c.op, c.signer, c.input?.RoleArn])).toEqual([["AssumeRole", warm.credentials.accessKeyId, B]]);
    expect(result.hops.map((h) => [h.roleArn, h.cached])).toEqual([
      [A, true],
      [B, undefined],
    ]);
    expect(result.source).toBeUndefined();
  });

  it("a cached chain is not served to another source: other keys ask the source and STS again", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pull-")), "assume-role");
    const plan = buildPlan({ roles: [A], env: LONG_TERM_ENV });
    await runChain(plan, fakeDeps(plan, LONG_TERM, { calls: [], env: LONG_TERM_ENV, answerHop: cacheIn(dir) }));
    const otherEnv = { AWS_ACCESS_KEY_ID: "AKIAOTHER", AWS_SECRET_ACCESS_KEY: "other" };
    const other = buildPlan({ roles: [A], env: otherEnv });
    const calls: StsCall[] = [];
    const source = { kind: "env" as const, credentials: { accessKeyId: "AKIAOTHER", secretAccessKey: "other" } };
    const d = fakeDeps(other, source, { calls, env: otherEnv, answerHop: cacheIn(dir) });
    await runChain(other, d);
    expect([d.sourceCalls, calls.map((c) => c.signer)]).toEqual([["auto"], ["AKIAOTHER"]]);
  });

  it("a failing hop's AccessDenied names its caller via one GetCallerIdentity; later hops never run, nothing is cached for them", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pull-")), "assume-role");
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, B], env: LONG_TERM_ENV });
    const denied = sdkError("AccessDenied", 403, "not authorized");
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV, answerHop: cacheIn(dir), fail: (i) => (i.RoleArn === A ? denied : undefined) });
    const err = await runChain(plan, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as Error).message).toContain(`arn:aws:iam::999999999999:user/alice may not assume ${A}`);
    expect(calls.map((c) => [c.op, c.signer, c.input?.RoleArn])).toEqual([
      ["AssumeRole", "AKIAUSER", A],
      ["GetCallerIdentity", "AKIAUSER", undefined],
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toEqual([]);
  });

  it("a denied later hop names the hop before it from its session ARN, without GetCallerIdentity", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, B], env: LONG_TERM_ENV });
    const denied = sdkError("AccessDenied", 403, "not authorized");
    const d = fakeDeps(plan, LONG_TERM, { calls, env: LONG_TERM_ENV, fail: (i) => (i.RoleArn === B ? denied : undefined) });
    const err = await runChain(plan, d).catch((e: unknown) => e);
    expect((err as Error).message).toContain(`arn:aws:sts::111111111111:assumed-role/A/ec2-user@build-host may not assume ${B}`);
    expect(calls.map((c) => c.op)).toEqual(["AssumeRole", "AssumeRole"]);
  });

  // The same region reached by default (the role's partition: not exported) and set by --region (exported):
  // what a run exports must not depend on which of the two filled the cache.
  it.each([
    ["--region after a run without one", undefined, "us-east-1"],
    ["no region after a run with --region", "us-east-1", undefined],
  ])("a cache hit exports the region as planned: %s", async (_what, firstRegion, secondRegion) => {
    const dir = join(mkdtempSync(join(tmpdir(), "pull-")), "assume-role");
    const before = buildPlan({ roles: [A], region: firstRegion, env: LONG_TERM_ENV });
    const first = await runChain(before, fakeDeps(before, LONG_TERM, { calls: [], env: LONG_TERM_ENV, answerHop: cacheIn(dir) }));
    expect([first.region, first.exportRegion]).toEqual(["us-east-1", firstRegion]);
    const after = buildPlan({ roles: [A], region: secondRegion, env: LONG_TERM_ENV });
    const second = await runChain(after, fakeDeps(after, LONG_TERM, { calls: [], env: LONG_TERM_ENV, answerHop: cacheIn(dir) }));
    expect([second.region, second.exportRegion]).toEqual(["us-east-1", secondRegion]);
  });
});
