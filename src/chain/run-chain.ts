import { AccessDeniedError } from "../errors.js";
import { decideDuration, formatDuration } from "../plan/parse-duration.js";
import { defaultRegionOfPartition, parseIdentityArn, parseRoleArn, roleArn } from "../plan/role-arn.js";
import { mapStsError } from "../sts/map-sts-error.js";
import type { StsFactory } from "../sts/sts-api.js";
import type { ChainPlan, ChainResult, Credentials, HopPlan, HopResult, SourcePlan, SourceResult } from "../types.js";
import { hopKey, type AssumeHop } from "./assume-hop.js";
import { sessionVars, sessionTemplate } from "./session-vars.js";
import { renderSessionName } from "../plan/session-name.js";

export interface ChainDeps {
  readonly source: (plan: SourcePlan) => Promise<SourceResult>;
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
  chainKey: string[];
}

/** Execute a plan: source credentials, then each hop signed by the previous one. */
export async function runChain(plan: ChainPlan, deps: ChainDeps): Promise<ChainResult> {
  const source = await deps.source(plan.source);
  deps.onCredentials(source.credentials);
  const firstArn = plan.hops[0]?.role.kind === "arn" ? plan.hops[0].role.arn : undefined;
  const region =
    plan.region ?? source.region ?? defaultRegionOfPartition(parseRoleArn(firstArn ?? "")?.partition ?? source.partition ?? "aws");
  const caller: Caller = {
    credentials: source.credentials,
    arn: source.callerArn,
    partition: source.partition,
    accountId: source.accountId,
    chainKey: [source.identityKey],
  };
  const hops: HopResult[] = [];
  for (const [index, hop] of plan.hops.entries()) {
    const chained = index > 0 || source.isRoleSession;
    const result = await runHop(hop, index, chained, caller, { deps, region, source });
    deps.onCredentials(result.credentials);
    hops.push(result);
    Object.assign(caller, { credentials: result.credentials, arn: result.assumedRoleArn, ...identityOf(result.assumedRoleArn) });
  }
  return { source, hops, credentials: caller.credentials, region, plannedRegion: plan.region, roleArn: hops.at(-1)?.roleArn };
}

export interface HopEnv {
  readonly deps: ChainDeps;
  readonly region: string;
  readonly source: SourceResult;
}

async function runHop(hop: HopPlan, index: number, chained: boolean, caller: Caller, env: HopEnv): Promise<HopResult> {
  const { deps, region } = env;
  const endpoint = deps.stsEndpoint ?? `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
  const arn = hop.role.kind === "arn" ? hop.role.arn : await completeRoleArn(hop.role.name, caller, env, endpoint);
  const duration = decideDuration(hop.duration, chained);
  if (duration.cappedFrom !== undefined) {
    deps.warn(
      `warning: --duration ${formatDuration(duration.cappedFrom)} lowered to 1h for ${arn}: AWS caps sessions assumed by role chaining at 1 hour`,
    );
  }
  const template = sessionTemplate(hop, env.source);
  const sessionName = renderSessionName(template, await sessionVars(template, arn, index, env));
  const input = {
    roleArn: arn,
    roleSessionName: sessionName,
    durationSeconds: duration.seconds,
    externalId: hop.externalId,
    serialNumber: hop.mfaSerial,
    sourceIdentity: hop.sourceIdentity,
    tags: hop.tags,
    transitiveTagKeys: hop.transitiveTagKeys,
    policy: hop.policy,
    policyArns: hop.policyArns,
  };
  const chainKey = [...caller.chainKey, hopKey(input)];
  deps.debug(`hop ${index + 1}: AssumeRole ${arn} as ${sessionName} for ${duration.seconds} s${chained ? " (chained)" : ""}`);
  try {
    const out = await deps.assumeHop({
      caller: caller.credentials,
      region,
      endpoint: deps.stsEndpoint,
      input,
      chainKey,
      mfaCode: hop.mfaSerial ? () => deps.mfaCode(hop.mfaSerial!, arn) : undefined,
      debug: deps.debug,
    });
    caller.chainKey = chainKey;
    return {
      roleArn: arn,
      assumedRoleArn: out.assumedRoleArn,
      sessionName,
      durationSeconds: duration.seconds,
      credentials: out.credentials,
      cached: out.cached,
    };
  } catch (err) {
    throw await describeHopError(err, { operation: "AssumeRole", roleArn: arn, callerArn: caller.arn, endpoint }, caller, env);
  }
}

/** An access-denied message must name the caller: ask STS who the environment's keys are when unknown. */
async function describeHopError(
  err: unknown,
  context: Parameters<typeof mapStsError>[1],
  caller: Caller,
  env: HopEnv,
): Promise<Error> {
  if (!isStsFailure(err)) return err as Error;
  const mapped = mapStsError(err, context);
  if (!(mapped instanceof AccessDeniedError) || caller.arn !== undefined) return mapped;
  const sts = env.deps.sts({ region: env.region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials });
  const callerArn = await sts.getCallerIdentity().then((id) => id.arn, () => undefined);
  return mapStsError(err, { ...context, callerArn });
}

/** Errors that already speak to the user (MFA, cache, usage) pass through unchanged. */
function isStsFailure(err: unknown): boolean {
  return !(err instanceof Error && "exitCode" in err);
}

/** A bare role name lives in the partition and account of the identity before the hop. */
async function completeRoleArn(name: string, caller: Caller, env: HopEnv, endpoint: string): Promise<string> {
  if (caller.accountId === undefined || caller.partition === undefined) {
    const sts = env.deps.sts({ region: env.region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials, debug: env.deps.debug });
    try {
      const id = await sts.getCallerIdentity();
      Object.assign(caller, { arn: id.arn, ...identityOf(id.arn) });
    } catch (err) {
      throw mapStsError(err, { operation: "GetCallerIdentity", endpoint });
    }
  }
  return roleArn(caller.partition ?? "aws", caller.accountId!, name);
}

function identityOf(arn: string): { partition?: string; accountId?: string } {
  const parts = parseIdentityArn(arn);
  return parts ? { partition: parts.partition, accountId: parts.accountId } : {};
}
