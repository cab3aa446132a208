import type { StsFactory } from "../sts/sts-api.js";
import type { ChainPlan, ChainResult, Credentials, HopResult, SessionResult, SourcePlan, SourceResult, SourceWants } from "../types.js";
import type { AnswerHop } from "./assume-hop.js";
import { callerOfHop, callerOfSession, callerOfSource, type Caller } from "./caller.js";
import { runHop } from "./run-hop.js";
import { runSession } from "./run-session.js";
import type { MfaCode } from "../ui/mfa-code.js";
import { sourceWants } from "../plan/source-wants.js";

/** What the instance knows of itself, asked of IMDS only when a plan needs it. */
export interface InstanceFacts {
  readonly instanceId: () => Promise<string>;
  /** The instance's region; undefined when IMDS cannot say. */
  readonly region: () => Promise<string | undefined>;
}

export interface ChainDeps {
  /** `wants`: what the chain will ask of the source besides credentials, so it can fetch that alongside. */
  readonly source: (plan: SourcePlan, wants?: SourceWants) => Promise<SourceResult>;
  /** Answers each hop (STS, possibly behind the cache). */
  readonly answerHop: AnswerHop;
  /** The entry key of each hop (plan/hop-keys.ts), one per hop of the plan. */
  readonly hopKeys: readonly (readonly string[])[];
  readonly sts: StsFactory;
  /** AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, when set. */
  readonly stsEndpoint?: string | undefined;
  readonly instance: InstanceFacts;
  /** The entry key of the plan's MFA session (plan/hop-keys.ts sessionKey); undefined without one. */
  readonly sessionKey?: readonly string[] | undefined;
  /** The MFA code for a serial: --mfa-token, the planned command, or asked on the terminal. */
  readonly mfaCode: MfaCode;
  readonly now: () => Date;
  readonly user: string;
  readonly host: string;
  readonly debug: (line: string) => void;
  /** Called with every credential obtained, so stderr can redact them. */
  readonly onCredentials: (c: Credentials) => void;
}

export interface RegionDecision {
  readonly region: string;
  readonly exportRegion?: string | undefined;
}

/** What a hop needs besides its own plan: the deps and the run's lazily decided region. */
export interface HopEnv {
  readonly deps: ChainDeps;
  readonly region: () => Promise<RegionDecision>;
}

/**
 * Execute a plan, pulling from the end: the final hop is asked first; a hop that is not answered from the cache pulls
 * its caller (the hop before it, or the source), and so on. A cached final hop therefore makes no request at all, and
 * the source is asked only when some hop really goes to STS.
 */
export async function runChain(plan: ChainPlan, deps: ChainDeps): Promise<ChainResult> {
  let sourceResult: SourceResult | undefined;
  const source = once(async () => {
    sourceResult = await deps.source(plan.source, sourceWants(plan));
    deps.onCredentials(sourceResult.credentials);
    return sourceResult;
  });
  const env: HopEnv = { deps, region: once(() => decideRegion(plan, deps)) };
  // The MFA session sits between the source and the first hop; like a hop, the cache may answer it.
  let sessionResult: SessionResult | undefined;
  const session = once(async () => {
    sessionResult = await runSession(plan.session!, deps.sessionKey!, source, env);
    deps.onCredentials(sessionResult.credentials);
    return sessionResult;
  });
  const answered: HopResult[] = [];
  const hops = new Map<number, Promise<HopResult>>();
  const callers = new Map<number, Promise<Caller>>();
  const callerOf = (index: number): Promise<Caller> => {
    let caller = callers.get(index);
    if (caller === undefined) {
      caller =
        index > 0
          ? hopAt(index - 1).then(callerOfHop)
          : plan.session === undefined
            ? source().then(callerOfSource)
            : Promise.all([session(), source()]).then(([s, src]) => callerOfSession(s, src));
      callers.set(index, caller);
    }
    return caller;
  };
  const hopAt = (index: number): Promise<HopResult> => {
    let hop = hops.get(index);
    if (hop === undefined) {
      hop = runHop(plan.hops[index]!, index, deps.hopKeys[index]!, () => callerOf(index), env).then((result) => {
        deps.onCredentials(result.credentials);
        answered[index] = result;
        return result;
      });
      hops.set(index, hop);
    }
    return hop;
  };
  if (plan.hops.length === 0) {
    const mfa = plan.session === undefined ? undefined : await session();
    const s = await source();
    const region = await env.region();
    return { hops: [], source: s, session: mfa, credentials: mfa?.credentials ?? s.credentials, ...region };
  }
  const last = await hopAt(plan.hops.length - 1);
  return {
    hops: answered.filter((h) => h !== undefined),
    source: sourceResult,
    session: sessionResult,
    credentials: last.credentials,
    region: last.region,
    exportRegion: last.exportRegion,
    roleArn: last.roleArn,
  };
}

/** The region the plan chose; the instance's is asked of IMDS only here, and only when the plan says so. */
async function decideRegion(plan: ChainPlan, deps: ChainDeps): Promise<RegionDecision> {
  const r = plan.region;
  if (r.kind === "set") return { region: r.region, exportRegion: r.region };
  if (r.kind === "default") return { region: r.region };
  const region = await deps.instance.region();
  return region === undefined ? { region: r.fallback } : { region, exportRegion: region };
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
