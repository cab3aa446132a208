/**
 * `doctor`: run the chain once as the default command would (src/chain, observed through decorated edges), then
 * turn what was seen into checks in order (environment, source, clock, each hop, the result), ending at the first
 * that failed.
 */
import { stsFactory } from "../commands/chain-deps.js";
import { resolveChain, type ChainOptions } from "../commands/resolve-chain.js";
import type { Context } from "../context.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { isoSeconds } from "../iso-seconds.js";
import { mapStsError } from "../sts/map-sts-error.js";
import { regionalStsEndpoint, stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import type { ChainResult, Credentials, RegionPlan, SessionResult, SourceResult } from "../types.js";
import type { Logger } from "../ui/logger.js";
import { newObservation, observeChain, type ChainObservation } from "./chain-observer.js";
import type { Check } from "./check.js";
import { environmentChecks } from "./environment-checks.js";
import { hopFailure } from "./hop-failure.js";

/** Beyond this, AWS refuses the signatures this machine makes (SigV4 allows 15 minutes); the SDK may hide it. */
const SKEW_FAIL_MS = 15 * 60_000;
const SKEW_WARN_MS = 2 * 60_000;

export async function diagnose(ctx: Context, roles: string[], opts: ChainOptions, log: Logger): Promise<Check[]> {
  const checks = await environmentChecks(ctx);
  if (checks.some((c) => c.status === "fail")) return checks;
  const seen = newObservation();
  let result: ChainResult | undefined;
  let error: unknown;
  try {
    result = await resolveChain(ctx, roles, opts, log, { decorate: observeChain(seen, ctx.now) });
  } catch (err) {
    if (!(err instanceof CliError) || err instanceof UsageError) throw err;
    if (seen.plan === undefined) {
      return [...checks, { name: "configuration", status: "fail", summary: err.message, remedy: err.hint?.split("\n"), exitCode: err.exitCode }];
    }
    error = err;
  }
  const plan = seen.plan!;
  for (const warning of plan.warnings) checks.push({ name: "duration", status: "warn", summary: warning.replace(/^warning: /, "") });

  const failure = seen.failure ?? (error === undefined ? undefined : { at: "source" as const, error });
  if (failure?.at === "source") return [...checks, failed("source", failure.error)];
  checks.push(sourceCheck(seen.source));

  const clock = clockCheck(seen);
  checks.push(clock);
  if (clock.status === "fail") return checks;

  if (plan.session !== undefined) {
    const name = `mfa session of profile ${plan.session.profile}`;
    if (failure?.at === "session") return [...checks, failed(name, failure.error)];
    checks.push(sessionCheck(ctx, name, plan.session.serial, seen.session));
  }

  for (let i = 0; i < plan.hops.length; i++) {
    const hop = seen.hops[i];
    if (failure?.at === i) {
      const err = failure.error;
      if (!(err instanceof CliError)) throw err;
      checks.push(await hopFailure(i, err, seen, { ctx, debug: log.debug, callerArn: (index, creds) => callerArnOf(ctx, seen, index, creds) }));
      return checks;
    }
    if (hop === undefined) {
      checks.push({ name: `hop ${i + 1}`, status: "skip", summary: "not run: a later hop came from the cache (--refresh to check every hop)" });
      continue;
    }
    const left = hop.credentials.expiration ? `, expires ${isoSeconds(hop.credentials.expiration)} (${minutesLeft(ctx, hop.credentials.expiration)})` : "";
    checks.push({
      name: `hop ${i + 1}`,
      status: "ok",
      summary: `${hop.assumedRoleArn}${left}${hop.cached ? ", from the cache" : ""}`,
      details: [`role ${hop.roleArn}, session ${hop.sessionName}, ${hop.durationSeconds} s`],
    });
  }
  if (error !== undefined) return [...checks, failed("chain", error)];
  if (plan.hops.length === 0 && result !== undefined) {
    const identity = await sourceIdentity(ctx, result, log);
    checks.push(identity);
    if (identity.status === "fail") return checks;
  }
  const final = result?.hops.at(-1)?.assumedRoleArn ?? "the source credentials";
  checks.push({ name: "result", status: "ok", summary: `the chain works: ${final}` });
  return checks;
}

function sessionCheck(ctx: Context, name: string, serial: string, session: SessionResult | undefined): Check {
  if (session === undefined) return { name, status: "skip", summary: "not run: a later hop came from the cache (--refresh to check every step)" };
  const expiration = session.credentials.expiration;
  const left = expiration ? `, expires ${isoSeconds(expiration)} (${minutesLeft(ctx, expiration)})` : "";
  return { name, status: "ok", summary: `GetSessionToken with ${serial}${left}${session.cached ? ", from the cache" : ""}` };
}

function failed(name: string, err: unknown): Check {
  if (!(err instanceof CliError)) throw err;
  return { name, status: "fail", summary: err.message, remedy: err.hint?.split("\n"), exitCode: err.exitCode };
}

const SOURCE_NAMES: Record<SourceResult["kind"], string> = {
  imds: "the instance role from IMDS",
  env: "keys in the environment",
  container: "the container credentials endpoint",
  "web-identity": "a web identity (OIDC) token",
  profile: "a profile",
  static: "keys in a profile",
  process: "a profile's credential_process",
  sso: "a profile's SSO session",
};

function sourceCheck(source: SourceResult | undefined): Check {
  if (source === undefined) return { name: "source", status: "skip", summary: "not asked: a hop came from the cache (--refresh to check the source too)" };
  return { name: "source", status: "ok", summary: `${SOURCE_NAMES[source.kind]}${source.callerArn ? `: ${source.callerArn}` : ""}` };
}

/** This machine's clock against STS's Date header (the last answer). */
function clockCheck(seen: ChainObservation): Check {
  const last = seen.answers.at(-1);
  if (last === undefined) return { name: "clock", status: "skip", summary: "not checked: no answer from STS" };
  const skew = last.localDate.getTime() - last.serverDate.getTime();
  const amount = Math.abs(skew) >= 60_000 ? `${Math.round(Math.abs(skew) / 60_000)} min` : `${Math.round(Math.abs(skew) / 1000)} s`;
  const side = `this machine's clock is ${amount} ${skew > 0 ? "ahead of" : "behind"} STS's (${last.serverDate.toUTCString()})`;
  if (Math.abs(skew) > SKEW_FAIL_MS) {
    return {
      name: "clock",
      status: "fail",
      summary: `${side}: AWS refuses signatures more than 15 min off, and expiry times are misjudged`,
      remedy: ["set the clock right: timedatectl set-ntp true (or chronyc makestep), then run again"],
      exitCode: EXIT.network,
    };
  }
  if (Math.abs(skew) > SKEW_WARN_MS) return { name: "clock", status: "warn", summary: side, remedy: ["keep the clock in time with NTP: timedatectl set-ntp true"] };
  return { name: "clock", status: "ok", summary: `within ${amount} of STS's` };
}

/** Who signed hop `index`: the source's or the previous hop's ARN, else STS's word (GetCallerIdentity). */
async function callerArnOf(ctx: Context, seen: ChainObservation, index: number, credentials: Credentials): Promise<string | undefined> {
  const known = index === 0 ? seen.source?.callerArn : seen.hops[index - 1]?.assumedRoleArn;
  if (known !== undefined) return known;
  // The region the chain's STS calls used (the plan's: flag, environment, profile, the instance's), not a guess.
  const region = seen.hops.find((hop) => hop !== undefined)?.region ?? stsRegionOf(seen.plan?.region);
  return stsFactory(ctx)({ region, endpoint: stsEndpointFromEnv(ctx.env), credentials })
    .getCallerIdentity()
    .then((id) => id.arn, () => undefined);
}

/** A chain without hops: are the source's credentials good? STS says who they are. */
async function sourceIdentity(ctx: Context, result: ChainResult, log: Logger): Promise<Check> {
  const endpoint = stsEndpointFromEnv(ctx.env);
  try {
    const id = await stsFactory(ctx)({ region: result.region, endpoint, credentials: result.credentials, debug: log.debug }).getCallerIdentity();
    return { name: "identity", status: "ok", summary: `STS knows the source credentials as ${id.arn}` };
  } catch (err) {
    return failed("identity", mapStsError(err, { operation: "GetCallerIdentity", endpoint: endpoint ?? regionalStsEndpoint(result.region) }));
  }
}

function minutesLeft(ctx: Context, expiration: Date): string {
  const minutes = Math.floor((expiration.getTime() - ctx.now().getTime()) / 60_000);
  return minutes >= 120 ? `${Math.floor(minutes / 60)} h left` : `${minutes} min left`;
}

/** The STS region a plan names before anything answered (the instance's region plan falls back to its partition default). */
function stsRegionOf(region: RegionPlan | undefined): string {
  if (region === undefined) return "us-east-1";
  return region.kind === "imds" ? region.fallback : region.region;
}
