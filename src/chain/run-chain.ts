import { AccessDeniedError } from "../errors.js";
import { decideDuration, formatDuration } from "../plan/parse-duration.js";
import { defaultRegionOfPartition, parseIdentityArn, parseRoleArn, roleArn } from "../plan/role-arn.js";
import {
  IMDS_DEFAULT_TEMPLATE,
  OTHER_DEFAULT_TEMPLATE,
  renderSessionName,
  sessionTime,
  templateTokens,
  type SessionVars,
} from "../plan/session-name.js";
import { mapStsError } from "../sts/map-sts-error.js";
import type { StsApi, StsFactory } from "../sts/sts-api.js";
import type { ChainPlan, ChainResult, Credentials, HopPlan, HopResult, SourceResult } from "../types.js";

export interface ChainDeps {
  readonly source: () => Promise<SourceResult>;
  readonly sts: StsFactory;
  /** AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, when set. */
  readonly stsEndpoint?: string | undefined;
  /** For {instanceId} when the source is not IMDS. */
  readonly instanceId: () => Promise<string>;
  readonly now: () => Date;
  readonly user: string;
  readonly host: string;
  readonly warn: (line: string) => void;
  readonly debug: (line: string) => void;
  /** Called with every credential obtained, so stderr can redact them. */
  readonly onCredentials: (c: Credentials) => void;
}

/** Who signs the next call: credentials plus what is known of their identity. */
interface Caller {
  readonly credentials: Credentials;
  arn?: string | undefined;
  partition?: string | undefined;
  accountId?: string | undefined;
}

/** Execute a plan: source credentials, then each hop signed by the previous one. */
export async function runChain(plan: ChainPlan, deps: ChainDeps): Promise<ChainResult> {
  const source = await deps.source();
  deps.onCredentials(source.credentials);
  const firstArn = plan.hops[0]?.role.kind === "arn" ? plan.hops[0].role.arn : undefined;
  const region =
    plan.region ?? source.region ?? defaultRegionOfPartition(parseRoleArn(firstArn ?? "")?.partition ?? source.partition ?? "aws");
  const caller: Caller = {
    credentials: source.credentials,
    arn: source.callerArn,
    partition: source.partition,
    accountId: source.accountId,
  };
  const hops: HopResult[] = [];
  for (const [index, hop] of plan.hops.entries()) {
    const chained = index > 0 || source.isRoleSession;
    const result = await runHop(hop, index, chained, caller, { deps, region, source });
    deps.onCredentials(result.credentials);
    hops.push(result);
    Object.assign(caller, { credentials: result.credentials, arn: result.assumedRoleArn, ...identityOf(result.assumedRoleArn) });
  }
  const last = hops.at(-1);
  return { source, hops, credentials: caller.credentials, region, plannedRegion: plan.region, roleArn: last?.roleArn };
}

interface HopEnv {
  readonly deps: ChainDeps;
  readonly region: string;
  readonly source: SourceResult;
}

async function runHop(hop: HopPlan, index: number, chained: boolean, caller: Caller, env: HopEnv): Promise<HopResult> {
  const { deps, region } = env;
  const sts = deps.sts({ region, endpoint: deps.stsEndpoint, credentials: caller.credentials, debug: deps.debug });
  const endpoint = deps.stsEndpoint ?? `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
  const arn = hop.role.kind === "arn" ? hop.role.arn : await completeRoleArn(hop.role.name, caller, sts, endpoint);
  const duration = decideDuration(hop.duration, chained);
  if (duration.cappedFrom !== undefined) {
    deps.warn(
      `warning: --duration ${formatDuration(duration.cappedFrom)} lowered to 1h for ${arn}: AWS caps sessions assumed by role chaining at 1 hour`,
    );
  }
  const template = hop.sessionName ?? (env.source.kind === "imds" ? IMDS_DEFAULT_TEMPLATE : OTHER_DEFAULT_TEMPLATE);
  const sessionName = renderSessionName(template, await sessionVars(template, arn, index, env));
  deps.debug(`hop ${index + 1}: AssumeRole ${arn} as ${sessionName} for ${duration.seconds} s${chained ? " (chained)" : ""}`);
  try {
    const out = await sts.assumeRole({
      roleArn: arn,
      roleSessionName: sessionName,
      durationSeconds: duration.seconds,
      externalId: hop.externalId,
    });
    return { roleArn: arn, assumedRoleArn: out.assumedRoleArn, sessionName, durationSeconds: duration.seconds, credentials: out.credentials };
  } catch (err) {
    const context = { operation: "AssumeRole", roleArn: arn, callerArn: caller.arn, endpoint };
    const mapped = mapStsError(err, context);
    if (!(mapped instanceof AccessDeniedError) || caller.arn !== undefined) throw mapped;
    // An access-denied message must name the caller: ask STS who the environment's keys are.
    const callerArn = await sts.getCallerIdentity().then((id) => id.arn, () => undefined);
    throw mapStsError(err, { ...context, callerArn });
  }
}

/** A bare role name lives in the partition and account of the identity before the hop. */
async function completeRoleArn(name: string, caller: Caller, sts: StsApi, endpoint: string): Promise<string> {
  if (caller.accountId === undefined || caller.partition === undefined) {
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

async function sessionVars(template: string, arn: string, index: number, env: HopEnv): Promise<SessionVars> {
  const { deps, source, region } = env;
  const role = parseRoleArn(arn);
  const needsInstance = templateTokens(template).includes("instanceId");
  return {
    instanceId: needsInstance ? (source.instanceId ?? (await deps.instanceId())) : undefined,
    accountId: role?.accountId,
    region,
    user: deps.user,
    host: deps.host,
    role: role?.name,
    hop: String(index + 1),
    time: sessionTime(deps.now()),
  };
}
