import { AccessDeniedError, CliError } from "../errors.js";
import { roleArn } from "../plan/role-arn.js";
import { renderSessionName } from "../plan/session-name.js";
import { mapStsError, type StsCallContext } from "../sts/map-sts-error.js";
import type { AssumeRoleInput } from "../sts/sts-api.js";
import { regionalStsEndpoint } from "../sts/sts-endpoint.js";
import type { Hop, HopResult } from "../types.js";
import { identityOf, type Caller } from "./caller.js";
import type { HopEnv } from "./run-chain.js";
import { sessionVars } from "./session-vars.js";

/**
 * One hop of the plan, handed to whatever answers hops (the cache, or STS). When it must really run, it pulls its
 * caller, completes a bare role name, renders the planned session-name template and sends the planned parameters.
 */
export function runHop(hop: Hop, index: number, key: readonly string[], caller: () => Promise<Caller>, env: HopEnv): Promise<HopResult> {
  const label = hop.role.kind === "arn" ? hop.role.arn : hop.role.name;
  return env.deps.answerHop({ key, label, run: async () => assume(hop, index, await caller(), env) });
}

async function assume(hop: Hop, index: number, initial: Caller, env: HopEnv): Promise<HopResult> {
  const { deps } = env;
  let caller = initial;
  const { region, exportRegion } = await env.region();
  const endpoint = deps.stsEndpoint ?? regionalStsEndpoint(region);
  const identify = async (): Promise<Caller> => (caller = await whoIs(caller, env, region, endpoint));
  const unknown = () => caller.accountId === undefined || caller.partition === undefined;
  // A bare role name lives in the account of the identity before it: the source's own word, else STS's.
  if (hop.role.kind === "name" && unknown() && caller.account) caller = { ...caller, ...(await caller.account()) };
  if (hop.role.kind === "name" && unknown()) await identify();
  const arn = hop.role.kind === "arn" ? hop.role.arn : roleArn(caller.partition ?? "aws", caller.accountId!, hop.role.name);
  const sessionName = renderSessionName(hop.sessionTemplate, await sessionVars(hop.sessionTemplate, arn, index, region, env.deps));
  const sts = deps.sts({ region, endpoint: deps.stsEndpoint, credentials: caller.credentials, debug: deps.debug });
  const context: StsCallContext = { operation: "AssumeRole", roleArn: arn, callerArn: caller.arn, endpoint };
  const tokenCode = hop.params.SerialNumber === undefined ? undefined : await deps.mfaCode(hop.params.SerialNumber, `role ${arn}`, hop.mfaProcess);
  const send = (durationSeconds: number) => {
    const input: AssumeRoleInput = { ...hop.params, DurationSeconds: durationSeconds, RoleArn: arn, RoleSessionName: sessionName, TokenCode: tokenCode };
    deps.debug(`hop ${index + 1}: AssumeRole ${arn} as ${sessionName} for ${durationSeconds} s${hop.chained ? " (chained)" : ""}`);
    return sts.assumeRole(input).then((out) => ({ out, durationSeconds }));
  };
  try {
    const { out, durationSeconds } = await send(hop.params.DurationSeconds).catch((err: unknown) => {
      // The plan's fallback for `max`: a role that allows less than 12 h says so; every role allows 1 h.
      if (hop.durationFallback === undefined || !/MaxSessionDuration/.test(String((err as Error)?.message))) throw err;
      deps.debug(`hop ${index + 1}: ${arn} allows less than ${hop.params.DurationSeconds} s; asking for ${hop.durationFallback} s`);
      return send(hop.durationFallback);
    });
    return { roleArn: arn, assumedRoleArn: out.assumedRoleArn, sessionName, durationSeconds, credentials: out.credentials, region, exportRegion };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const mapped = mapStsError(err, context);
    if (!(mapped instanceof AccessDeniedError) || caller.arn !== undefined) throw mapped;
    // Name the caller of a denial: the one GetCallerIdentity worth its round trip.
    await identify().catch(() => undefined);
    throw mapStsError(err, { ...context, callerArn: caller.arn });
  }
}

/** Ask STS who the caller is (GetCallerIdentity). */
async function whoIs(caller: Caller, env: HopEnv, region: string, endpoint: string): Promise<Caller> {
  if (caller.arn !== undefined && caller.accountId !== undefined) return caller;
  const sts = env.deps.sts({ region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials, debug: env.deps.debug });
  try {
    const id = await sts.getCallerIdentity();
    return { ...caller, arn: id.arn, ...identityOf(id.arn) };
  } catch (err) {
    throw mapStsError(err, { operation: "GetCallerIdentity", endpoint });
  }
}
