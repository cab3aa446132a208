/**
 * Test doubles for the chain runner (not a test file): a recording STS, sources that count their calls, and
 * ChainDeps wired like chain-deps.ts does it (hop keys from plan/hop-keys.ts over plan/source-identity.ts).
 */
import type { AnswerHop } from "../../src/chain/assume-hop.js";
import type { ChainDeps } from "../../src/chain/run-chain.js";
import { hopKeys } from "../../src/plan/hop-keys.js";
import { sourceIdentity } from "../../src/plan/source-identity.js";
import type { AssumeRoleInput, StsConfig, StsFactory } from "../../src/sts/sts-api.js";
import type { ChainPlan, SourceResult } from "../../src/types.js";

export const IMDS: SourceResult = {
  kind: "imds",
  credentials: { accessKeyId: "ASIAIMDS", secretAccessKey: "imds-secret", sessionToken: "imds-token" },
  callerArn: "arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0",
  accountId: "123456789012",
  partition: "aws",
  instanceId: "i-0123456789abcdef0",
  region: "us-east-1",
};

export const LONG_TERM: SourceResult = {
  kind: "env",
  credentials: { accessKeyId: "AKIAUSER", secretAccessKey: "user-secret" },
};

/** The environment `auto` reads as LONG_TERM's keys. */
export const LONG_TERM_ENV = { AWS_ACCESS_KEY_ID: "AKIAUSER", AWS_SECRET_ACCESS_KEY: "user-secret" };

export interface StsCall {
  readonly op: "AssumeRole" | "GetCallerIdentity" | "GetSessionToken";
  /** The access key ID that signed the call. */
  readonly signer: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly input?: AssumeRoleInput | undefined;
}

/** A recording STS double: each AssumeRole returns a numbered session of the requested role, valid until 2030. */
export function fakeSts(calls: StsCall[], fail?: (input: AssumeRoleInput) => unknown): StsFactory {
  let n = 0;
  return (config: StsConfig) => ({
    async assumeRole(input: AssumeRoleInput) {
      calls.push({ op: "AssumeRole", signer: (await config.credentials)!.accessKeyId, region: config.region, endpoint: config.endpoint, input });
      const err = fail?.(input);
      if (err) throw err;
      const m = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(input.RoleArn!)!;
      n++;
      return {
        credentials: { accessKeyId: `ASIAHOP${n}`, secretAccessKey: `secret${n}`, sessionToken: `token${n}`, expiration: new Date("2030-01-01T00:00:00Z") },
        assumedRoleArn: `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${input.RoleSessionName}`,
      };
    },
    async assumeRoleWithWebIdentity(): Promise<never> {
      throw new Error("not used");
    },
    async getSessionToken() {
      calls.push({ op: "GetSessionToken", signer: (await config.credentials)!.accessKeyId, region: config.region, endpoint: config.endpoint });
      n++;
      return { credentials: { accessKeyId: `ASIASESSION${n}`, secretAccessKey: `secret${n}`, sessionToken: `token${n}`, expiration: new Date("2030-01-01T00:00:00Z") } };
    },
    async getCallerIdentity() {
      calls.push({ op: "GetCallerIdentity", signer: (await config.credentials)!.accessKeyId, region: config.region, endpoint: config.endpoint });
      return { account: "999999999999", arn: "arn:aws:iam::999999999999:user/alice", userId: "AIDA" };
    },
  });
}

export interface FakeOptions {
  readonly calls: StsCall[];
  readonly fail?: (input: AssumeRoleInput) => unknown;
  /** The environment the plan was built from (the source identity reads it). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What answers hops; default: runs every hop (no cache). */
  readonly answerHop?: AnswerHop;
  readonly stsEndpoint?: string | undefined;
  /** The IMDS part of the source identity (chain-deps.ts: endpoint + machine and boot IDs). */
  readonly machine?: string;
}

/** What the doubles saw besides STS: each source call, each IMDS fact asked, every credential handed to redaction. */
export interface Observed {
  readonly sourceCalls: string[];
  readonly instanceCalls: string[];
  readonly protectedKeys: string[];
}

/** ChainDeps for `plan` whose source answers `source` (or throws it, when it is an Error). */
export function fakeDeps(plan: ChainPlan, source: SourceResult | Error, o: FakeOptions): ChainDeps & Observed {
  const observed: Observed = { sourceCalls: [], instanceCalls: [], protectedKeys: [] };
  const now = new Date("2026-11-21T07:30:00Z");
  const local = { user: "ec2-user", host: "build-host", now };
  return {
    ...observed,
    source: async (p) => {
      observed.sourceCalls.push(p.kind);
      if (source instanceof Error) throw source;
      return source;
    },
    answerHop: o.answerHop ?? ((call) => call.run()),
    hopKeys: hopKeys(plan, sourceIdentity(plan, o.env ?? {}, o.machine ?? "http://127.0.0.1:1:machine:boot"), o.stsEndpoint, local),
    sts: fakeSts(o.calls, o.fail),
    stsEndpoint: o.stsEndpoint,
    instance: {
      instanceId: async () => (observed.instanceCalls.push("instanceId"), "i-fromimds"),
      region: async () => (observed.instanceCalls.push("region"), "us-east-1"),
    },
    mfaCode: async () => "123456",
    now: () => now,
    user: local.user,
    host: local.host,
    debug: () => {},
    onCredentials: (c) => void observed.protectedKeys.push(c.accessKeyId),
  };
}

/** An STS error as the SDK throws it. */
export function sdkError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}
