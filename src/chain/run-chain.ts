import { defaultRegionOfPartition, parseIdentityArn, parseRoleArn } from "../plan/role-arn.js";
import type { StsFactory } from "../sts/sts-api.js";
import type { ChainPlan, ChainResult, Credentials, HopResult, SourcePlan, SourceResult, SourceWants } from "../types.js";
import type { AssumeHop } from "./assume-hop.js";
import { runHop } from "./run-hop.js";
import { sourceWants } from "./source-wants.js";

export interface ChainDeps {
  /** `wants`: what the chain will ask of the source besides credentials, so it can fetch that alongside. */
  readonly source: (plan: SourcePlan, wants?: SourceWants) => Promise<SourceResult>;
  /** Performs each hop (STS, possibly behind the cache). */
  readonly assumeHop: AssumeHop;
  /** For GetCallerIdentity (bare role names from unknown callers, naming the caller of an AccessDenied). */
  readonly sts: StsFactory;
  /** AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, when set. */
  readonly stsEndpoint?: string | undefined;
  /** For {instanceId} when the source is not IMDS. */
  readonly instanceId: () => Promise<string>;
  /** The MFA code for a serial: --mfa-token, or asked on the terminal. */
  readonly mfaCode: (serial: string, roleArn: string) => Promise<string>;
  readonly now: () => Date;
  readonly user: string;
  readonly host: string;
  /** The CI run's identity (GitHub, GitLab), the default session name there. */
  readonly ciSessionName?: string | undefined;
  readonly warn: (line: string) => void;
  readonly debug: (line: string) => void;
  /** Called with every credential obtained, so stderr can redact them. */
  readonly onCredentials: (c: Credentials) => void;
}

/** Who signs the next call: credentials plus what is known of their identity. */
export interface Caller {
  credentials: Credentials;
  arn?: string | undefined;
  partition?: string | undefined;
  accountId?: string | undefined;
  /** Non-secret identity of the chain so far (see HopCall.chainKey). */
  chainKey: string[];
}

export interface HopEnv {
  readonly deps: ChainDeps;
  readonly region: string;
  readonly source: SourceResult;
  /** The STS endpoint named in messages. */
  readonly endpoint: string;
}

/** Execute a plan: source credentials, then each hop signed by the previous one. */
export async function runChain(plan: ChainPlan, deps: ChainDeps): Promise<ChainResult> {
  const source = await deps.source(plan.source, sourceWants(plan, deps.ciSessionName));
  deps.onCredentials(source.credentials);
  const firstArn = plan.hops[0]?.role.kind === "arn" ? plan.hops[0].role.arn : undefined;
  // The source's region (an IMDS request) only when none is planned.
  const sourceRegion = plan.region === undefined ? (source.region ?? (await source.lazy?.region?.())) : undefined;
  const region =
    plan.region ?? sourceRegion ?? defaultRegionOfPartition(parseRoleArn(firstArn ?? "")?.partition ?? source.partition ?? "aws");
  const endpoint = deps.stsEndpoint ?? `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
  const env: HopEnv = { deps, region, source, endpoint };
  const caller: Caller = {
    credentials: source.credentials,
    arn: source.callerArn,
    partition: source.partition,
    accountId: source.accountId,
    chainKey: [source.identityKey],
  };
  const hops: HopResult[] = [];
  for (const [index, hop] of plan.hops.entries()) {
    const result = await runHop(hop, index, caller, env);
    deps.onCredentials(result.credentials);
    hops.push(result);
    Object.assign(caller, { credentials: result.credentials, arn: result.assumedRoleArn, ...identityOf(result.assumedRoleArn) });
  }
  return { source, hops, credentials: caller.credentials, region, plannedRegion: plan.region, sourceRegion, roleArn: hops.at(-1)?.roleArn };
}

export function identityOf(arn: string): { partition?: string; accountId?: string } {
  const parts = parseIdentityArn(arn);
  return parts ? { partition: parts.partition, accountId: parts.accountId } : {};
}
