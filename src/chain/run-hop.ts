import { AccessDeniedError, CliError } from "../errors.js";
import { roleArn } from "../plan/role-arn.js";
import { renderSessionName } from "../plan/session-name.js";
import { mapStsError, type StsCallContext } from "../sts/map-sts-error.js";
import type { AssumeRoleInput, AssumeRoleOutput, StsApi } from "../sts/sts-api.js";
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
  // A role named by its ARN, without an MFA code to ask, needs nothing of its caller but the credentials that sign the
  // request: it is built and handed to STS while those are still on their way, and signed when they come. A bare role
  // name lives in its caller's account, and an MFA prompt waits until the source has answered: those wait for the caller.
  const early = hop.role.kind === "arn" && hop.params.SerialNumber === undefined ? hop.role.arn : undefined;
  return env.deps.answerHop({ key, label, run: () => (early ? assumeEarly(hop, early, index, caller, env) : assumeAfter(hop, index, caller, env)) });
}

/** What a hop's request is, once decided. */
interface Request {
  readonly region: string;
  readonly exportRegion?: string | undefined;
  readonly endpoint: string;
  readonly arn: string;
  readonly sessionName: string;
}

async function assumeEarly(hop: Hop, arn: string, index: number, pull: () => Promise<Caller>, env: HopEnv): Promise<HopResult> {
  const pending = pull();
  const deciding = decide(hop, index, arn, env);
  // The caller's failure is the one to report, as soon as it comes (even while the request is being decided, which
  // may wait on IMDS); the request's own (its region, its session name) only when the caller has none.
  const request = await Promise.race([
    pending.then(() => deciding),
    deciding.catch(async (err: unknown) => {
      await pending;
      throw err;
    }),
  ]);
  const credentials = pending.then((c) => c.credentials);
  credentials.catch(() => undefined); // the caller's failure is reported below, where `pending` is awaited
  const sts = env.deps.sts({ region: request.region, endpoint: env.deps.stsEndpoint, credentials, debug: env.deps.debug });
  const first = send(sts, hop, request, undefined, hop.params.DurationSeconds);
  first.catch(() => undefined); // reported once the caller has answered
  return finish(hop, index, request, sts, await pending, first, env);
}

async function assumeAfter(hop: Hop, index: number, pull: () => Promise<Caller>, env: HopEnv): Promise<HopResult> {
  let caller = await pull();
  if (hop.role.kind === "name" && (caller.accountId === undefined || caller.partition === undefined)) {
    // A bare role name lives in the account of the identity before it: the source's own word, else STS's.
    if (caller.account) caller = { ...caller, ...(await caller.account()) };
    if (caller.accountId === undefined || caller.partition === undefined) caller = await whoIs(caller, env);
  }
  const arn = hop.role.kind === "arn" ? hop.role.arn : roleArn(caller.partition ?? "aws", caller.accountId!, hop.role.name);
  const request = await decide(hop, index, arn, env);
  const sts = env.deps.sts({ region: request.region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials, debug: env.deps.debug });
  const tokenCode = hop.params.SerialNumber === undefined ? undefined : await env.deps.mfaCode(hop.params.SerialNumber, `role ${arn}`, hop.mfaProcess);
  return finish(hop, index, request, sts, caller, send(sts, hop, request, tokenCode, hop.params.DurationSeconds), env, tokenCode);
}

/** The hop's region, STS endpoint and session name (the instance ID asked of IMDS only when the template names it). */
async function decide(hop: Hop, index: number, arn: string, env: HopEnv): Promise<Request> {
  const { region, exportRegion } = await env.region();
  const sessionName = renderSessionName(hop.sessionTemplate, await sessionVars(hop.sessionTemplate, arn, index, region, env.deps));
  return { region, exportRegion, endpoint: env.deps.stsEndpoint ?? regionalStsEndpoint(region), arn, sessionName };
}

type Sent = Promise<{ out: AssumeRoleOutput; durationSeconds: number }>;

function send(sts: StsApi, hop: Hop, request: Request, tokenCode: string | undefined, durationSeconds: number): Sent {
  const input: AssumeRoleInput = { ...hop.params, DurationSeconds: durationSeconds, RoleArn: request.arn, RoleSessionName: request.sessionName, TokenCode: tokenCode };
  return sts.assumeRole(input).then((out) => ({ out, durationSeconds }));
}

/** Wait for the hop's answer (retrying `max` with the plan's fallback) and name STS's refusals. */
async function finish(hop: Hop, index: number, request: Request, sts: StsApi, caller: Caller, first: Sent, env: HopEnv, tokenCode?: string): Promise<HopResult> {
  const { deps } = env;
  const { arn, region, exportRegion, sessionName } = request;
  const say = (seconds: number) => deps.debug(`hop ${index + 1}: AssumeRole ${arn} as ${sessionName} for ${seconds} s${hop.chained ? " (chained)" : ""}`);
  say(hop.params.DurationSeconds);
  try {
    const { out, durationSeconds } = await first.catch((err: unknown) => {
      // The plan's fallback for `max`: a role that allows less than 12 h says so; every role allows 1 h.
      if (hop.durationFallback === undefined || !/MaxSessionDuration/.test(String((err as Error)?.message))) throw err;
      deps.debug(`hop ${index + 1}: ${arn} allows less than ${hop.params.DurationSeconds} s; asking for ${hop.durationFallback} s`);
      say(hop.durationFallback);
      return send(sts, hop, request, tokenCode, hop.durationFallback);
    });
    return { roleArn: arn, assumedRoleArn: out.assumedRoleArn, sessionName, durationSeconds, credentials: out.credentials, region, exportRegion };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const context: StsCallContext = { operation: "AssumeRole", roleArn: arn, callerArn: caller.arn, endpoint: request.endpoint };
    const mapped = mapStsError(err, context);
    if (!(mapped instanceof AccessDeniedError) || caller.arn !== undefined) throw mapped;
    // Name the caller of a denial: the one GetCallerIdentity worth its round trip.
    const known = await whoIs(caller, env).catch(() => caller);
    throw mapStsError(err, { ...context, callerArn: known.arn });
  }
}

/** Ask STS who the caller is (GetCallerIdentity). */
async function whoIs(caller: Caller, env: HopEnv): Promise<Caller> {
  if (caller.arn !== undefined && caller.accountId !== undefined) return caller;
  const { region } = await env.region();
  const endpoint = env.deps.stsEndpoint ?? regionalStsEndpoint(region);
  const sts = env.deps.sts({ region, endpoint: env.deps.stsEndpoint, credentials: caller.credentials, debug: env.deps.debug });
  try {
    const id = await sts.getCallerIdentity();
    return { ...caller, arn: id.arn, ...identityOf(id.arn) };
  } catch (err) {
    throw mapStsError(err, { operation: "GetCallerIdentity", endpoint });
  }
}
