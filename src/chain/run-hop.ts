import { AccessDeniedError } from "../errors.js";
import { CHAINED_MAX_DURATION, decideDuration, formatDuration } from "../plan/parse-duration.js";
import { roleArn } from "../plan/role-arn.js";
import { renderSessionName } from "../plan/session-name.js";
import { mapStsError, type StsCallContext } from "../sts/map-sts-error.js";
import type { HopPlan, HopResult } from "../types.js";
import { hopKey, type HopCall } from "./assume-hop.js";
import { identityOf, type Caller, type HopEnv } from "./run-chain.js";
import { sessionTemplate, sessionVars } from "./session-vars.js";

/** One hop: complete the ARN, decide duration and session name, call STS (through the cache), explain failures. */
export async function runHop(hop: HopPlan, index: number, caller: Caller, env: HopEnv): Promise<HopResult> {
  const { deps } = env;
  const arn = hop.role.kind === "arn" ? hop.role.arn : await completeRoleArn(hop.role.name, index, caller, env);
  const chained = await isChained(hop, index, caller, env);
  const duration = decideDuration(hop.duration, chained);
  if (duration.cappedFrom !== undefined) {
    deps.warn(
      `warning: --duration ${formatDuration(duration.cappedFrom)} lowered to 1h for ${arn}: AWS caps sessions assumed by role chaining at 1 hour`,
    );
  }
  const template = sessionTemplate(hop, env.source, deps.ciSessionName);
  const sessionName = renderSessionName(template, await sessionVars(template, arn, index, env));
  const context: StsCallContext = { operation: "AssumeRole", roleArn: arn, callerArn: caller.arn, endpoint: env.endpoint };
  const call = (durationSeconds: number): HopCall => {
    const input = {
      roleArn: arn,
      roleSessionName: sessionName,
      durationSeconds,
      externalId: hop.externalId,
      serialNumber: hop.mfaSerial,
      sourceIdentity: hop.sourceIdentity,
      tags: hop.tags,
      transitiveTagKeys: hop.transitiveTagKeys,
      policy: hop.policy,
      policyArns: hop.policyArns,
    };
    return {
      caller: caller.credentials,
      region: env.region,
      endpoint: deps.stsEndpoint,
      input,
      // `max` may be answered at 12 h or, for a role that allows less, at 1 h: both are the entry for `max`.
      chainKey: [...caller.chainKey, hopKey(input, hop.duration === "max" ? "max" : undefined)],
      mfaCode: hop.mfaSerial ? () => deps.mfaCode(hop.mfaSerial!, arn) : undefined,
      debug: deps.debug,
    };
  };
  deps.debug(`hop ${index + 1}: AssumeRole ${arn} as ${sessionName} for ${duration.seconds} s${chained ? " (chained)" : ""}`);
  let durationSeconds = duration.seconds;
  let request = call(durationSeconds);
  try {
    const out = await deps.assumeHop(request).catch(async (err: unknown) => {
      // `max` unchained asks for 12 h; a role allowing less answers ValidationError: every role allows 1 h.
      if (hop.duration !== "max" || chained || !/MaxSessionDuration/.test(String((err as Error)?.message))) throw err;
      deps.debug(`hop ${index + 1}: ${arn} allows less than 12h; asking for 1h`);
      durationSeconds = CHAINED_MAX_DURATION;
      request = call(durationSeconds);
      return deps.assumeHop(request);
    });
    caller.chainKey = [...request.chainKey];
    return { roleArn: arn, assumedRoleArn: out.assumedRoleArn, sessionName, durationSeconds, credentials: out.credentials, cached: out.cached };
  } catch (err) {
    throw await describeHopError(err, context, caller, env);
  }
}

/**
 * AssumeRole is role chaining when the caller is a role session. Every hop after the first is; the first is
 * when the source says so; for temporary keys of unknown kind, STS says who they are, and only when it matters.
 */
async function isChained(hop: HopPlan, index: number, caller: Caller, env: HopEnv): Promise<boolean> {
  if (index > 0) return true;
  const known = env.source.isRoleSession;
  if (known !== "unknown") return known;
  const matters = hop.duration === "max" || (hop.duration !== undefined && hop.duration > CHAINED_MAX_DURATION);
  if (!matters) return true;
  await identify(caller, env);
  return /:assumed-role\//.test(caller.arn ?? ":assumed-role/");
}

/** Errors that already speak to the user (MFA, usage) pass through; STS errors are explained. */
async function describeHopError(err: unknown, context: StsCallContext, caller: Caller, env: HopEnv): Promise<Error> {
  if (err instanceof Error && "exitCode" in err) return err;
  const mapped = mapStsError(err, context);
  if (!(mapped instanceof AccessDeniedError) || caller.arn !== undefined) return mapped;
  await identify(caller, env).catch(() => undefined);
  return mapStsError(err, { ...context, callerArn: caller.arn });
}

/** Ask STS who the caller is (GetCallerIdentity), once. */
async function identify(caller: Caller, env: HopEnv): Promise<void> {
  if (caller.arn !== undefined && caller.accountId !== undefined) return;
  const sts = env.deps.sts({ region: env.region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials, debug: env.deps.debug });
  try {
    const id = await sts.getCallerIdentity();
    Object.assign(caller, { arn: id.arn, ...identityOf(id.arn) });
  } catch (err) {
    throw mapStsError(err, { operation: "GetCallerIdentity", endpoint: env.endpoint });
  }
}

/** A bare role name lives in the partition and account of the identity before the hop: the source's own word, else STS's. */
async function completeRoleArn(name: string, index: number, caller: Caller, env: HopEnv): Promise<string> {
  const unknown = () => caller.accountId === undefined || caller.partition === undefined;
  const fromSource = env.source.lazy?.account;
  if (unknown() && index === 0 && fromSource) Object.assign(caller, await fromSource());
  if (unknown()) await identify(caller, env);
  return roleArn(caller.partition ?? "aws", caller.accountId!, name);
}

