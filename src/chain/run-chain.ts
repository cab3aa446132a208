import type { StsFactory } from "../sts/sts-api.js";
import { sourceLabel } from "../chain-marker.js";
import type { ChainPlan, ChainResult, Credentials, EarlierHop, Hop, HopResult, SessionResult, SourcePlan, SourceResult, SourceWants } from "../types.js";
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
  /**
   * Set only to explain a chain (whoami --chain): what the cache holds for a hop, read without a request. The hops
   * before one the cache answered were not needed; with this they are still shown, as the cache holds them.
   */
  readonly peekHop?: ((key: readonly string[]) => Promise<HopResult | undefined>) | undefined;
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
    return { hops: [], source: s, session: mfa, credentials: mfa?.credentials ?? s.credentials, ...region, path: { source: sourceLabel(plan), roles: [] } };
  }
  const last = await hopAt(plan.hops.length - 1);
  // The hops that ran or came from the cache are the end of the plan: a hop pulls the one before only when it runs.
  const first = answered.findIndex((h) => h !== undefined);
  const earlier = deps.peekHop === undefined ? undefined : await peekEarlier(plan, deps, first, deps.peekHop);
  const roles = plan.hops.map((hop, i) => answered[i]?.roleArn ?? earlier?.[i]?.result?.roleArn ?? labelOf(hop));
  return {
    hops: answered.filter((h) => h !== undefined),
    earlier,
    path: { source: sourceLabel(plan), roles },
    source: sourceResult,
    session: sessionResult,
    credentials: last.credentials,
    region: last.region,
    exportRegion: last.exportRegion,
    roleArn: last.roleArn,
  };
}

function labelOf(hop: Hop): string {
  return hop.role.kind === "arn" ? hop.role.arn : hop.role.name;
}

/** What the cache holds for the hops before `first` (read only; nothing runs). */
function peekEarlier(plan: ChainPlan, deps: ChainDeps, first: number, peek: NonNullable<ChainDeps["peekHop"]>): Promise<EarlierHop[]> {
  return Promise.all(
    plan.hops.slice(0, first).map(async (hop, i) => {
      const label = labelOf(hop);
      const result = await peek(deps.hopKeys[i]!).catch(() => undefined);
      return { label, result };
    }),
  );
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
