/**
 * A hop named by its ARN, without MFA, is handed to STS before its caller has answered, and signed when it does
 * (chain/run-hop.ts). What a user sees must not change: STS gets each request signed by its caller, in order; a
 * failing source or hop is the error reported, and no later request is sent; an MFA code is asked only once the
 * source has answered.
 */
import { describe, expect, it } from "vitest";
import { runChain } from "../../src/chain/run-chain.js";
import { AccessDeniedError, NetworkError, NoCredentialsError } from "../../src/errors.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import type { StsFactory } from "../../src/sts/sts-api.js";
import { fakeDeps, IMDS, LONG_TERM, LONG_TERM_ENV, sdkError, type StsCall } from "./chain-fakes.js";

const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";

/** Counts the requests handed to STS (signed or not) around a recording STS. */
function counting(sts: StsFactory, handed: string[]): StsFactory {
  return (config) => {
    const api = sts(config);
    return { ...api, assumeRole: (input) => (handed.push(input.RoleArn!), api.assumeRole(input)) };
  };
}

describe("hops sent before their caller has answered", () => {
  it("every hop is handed to STS before the source answers, and each is signed by its caller, in order", async () => {
    const calls: StsCall[] = [];
    const handed: string[] = [];
    let answer!: () => void;
    const sourceAnswers = new Promise<void>((resolve) => (answer = resolve));
    const plan = buildPlan({ roles: [A, B], env: {} });
    const d = fakeDeps(plan, IMDS, { calls });
    const run = runChain(plan, {
      ...d,
      source: (p, wants) => sourceAnswers.then(() => d.source(p, wants)),
      sts: counting(d.sts, handed),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect([[...handed].sort(), calls]).toEqual([[A, B], []]);
    answer();
    await run;
    expect(calls.map((c) => [c.signer, c.input?.RoleArn])).toEqual([
      ["ASIAIMDS", A],
      ["ASIAHOP1", B],
    ]);
  });

  it("a failing source is the error reported, before a session name that cannot be rendered; STS signs nothing", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, B], env: {} });
    const down = new NetworkError("IMDS at http://127.0.0.1:1 did not answer");
    const d = fakeDeps(plan, down, { calls });
    const noInstance = { instanceId: () => Promise.reject(new NoCredentialsError("no instance ID")), region: d.instance.region };
    const err = await runChain(plan, { ...d, instance: noInstance }).catch((e: unknown) => e);
    expect(err).toBe(down);
    expect(calls).toEqual([]);
  });

  it("the session name's error is reported when the source answers", async () => {
    const plan = buildPlan({ roles: [A], env: {} });
    const d = fakeDeps(plan, IMDS, { calls: [] });
    const missing = new NoCredentialsError("no instance ID");
    const err = await runChain(plan, { ...d, instance: { instanceId: () => Promise.reject(missing), region: d.instance.region } }).catch((e: unknown) => e);
    expect(err).toBe(missing);
  });

  it("a denied first hop is the error reported; the second hop is never signed", async () => {
    const calls: StsCall[] = [];
    const plan = buildPlan({ roles: [A, B], env: {} });
    const denied = sdkError("AccessDenied", 403, "not authorized");
    const d = fakeDeps(plan, IMDS, { calls, fail: (i) => (i.RoleArn === A ? denied : undefined) });
    const err = await runChain(plan, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as Error).message).toContain(`may not assume ${A}`);
    expect(calls.map((c) => c.input?.RoleArn)).toEqual([A]);
  });

  it("a hop with an MFA serial asks for its code only after the source answered: a failing source asks nothing", async () => {
    const plan = buildPlan({ roles: [A], mfaSerial: "arn:aws:iam::999999999999:mfa/alice", env: LONG_TERM_ENV });
    const asked: string[] = [];
    const broken = new NoCredentialsError("AWS_SECRET_ACCESS_KEY is not set");
    const d = fakeDeps(plan, broken, { calls: [], env: LONG_TERM_ENV });
    const err = await runChain(plan, { ...d, mfaCode: async (serial) => (asked.push(serial), "123456") }).catch((e: unknown) => e);
    expect([err, asked]).toEqual([broken, []]);
    const ok = fakeDeps(plan, LONG_TERM, { calls: [], env: LONG_TERM_ENV });
    await runChain(plan, { ...ok, mfaCode: async (serial) => (asked.push(serial), "123456") });
    expect(asked).toEqual(["arn:aws:iam::999999999999:mfa/alice"]);
  });
});

describe("a caller that fails while the hop's request is still being decided", () => {
  it("is the error reported at once, and never an unhandled rejection (which would end the process)", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      const plan = buildPlan({ roles: [A, B], env: {} });
      const down = new NetworkError("IMDS at http://127.0.0.1:1 answered HTTP 403");
      const d = fakeDeps(plan, down, { calls: [] });
      // The instance ID (for the session name) answers after the source has failed: the failure is reported at once.
      let instanceAnswered = false;
      const late = () => new Promise<string>((resolve) => setTimeout(() => resolve("i-late"), 50)).finally(() => (instanceAnswered = true));
      const err = await runChain(plan, { ...d, instance: { instanceId: late, region: d.instance.region } }).catch((e: unknown) => e);
      expect([err, instanceAnswered]).toEqual([down, false]);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });
});
