import type { ChainDeps } from "../chain/run-chain.js";
import type { AssumeRoleInput, StsApi } from "../sts/sts-api.js";
import type { HopCall } from "../chain/assume-hop.js";
import { isSessionResult, type ChainPlan, type Credentials, type HopResult, type SessionResult, type SourceResult, type StepResult } from "../types.js";

/** An AssumeRole as it was sent: the form fields and the credentials that signed it (never printed). */
export interface SentHop {
  readonly input: AssumeRoleInput;
  readonly caller: Credentials;
}

/** What doctor saw of one run of the chain: the plan, each edge's answer, and where it first failed. */
export interface ChainObservation {
  plan?: ChainPlan | undefined;
  source?: SourceResult | undefined;
  /** The MFA session (GetSessionToken, or the cache's), when the plan opens one and it was answered. */
  session?: SessionResult | undefined;
  readonly hops: (HopResult | undefined)[];
  /** The last AssumeRole sent for each hop index (a hop from the cache sends none). */
  readonly sent: (SentHop | undefined)[];
  /** The first failure in time: at the source, at the MFA session, or at a hop (index). */
  failure?: { readonly at: "source" | "session" | number; readonly error: unknown } | undefined;
  /** STS's Date header of every answer, and this machine's clock when it arrived. */
  readonly answers: { readonly serverDate: Date; readonly localDate: Date }[];
}

export function newObservation(): ChainObservation {
  return { hops: [], sent: [], answers: [] };
}

/**
 * Decorate the chain's edges so that a normal run of the chain (src/chain, unchanged) reports to `seen`: the
 * source's answer, each hop's answer or error, the AssumeRole form each hop sent, STS's clock. Nothing is
 * changed on the way.
 */
export function observeChain(seen: ChainObservation, now: () => Date): (deps: ChainDeps, plan: ChainPlan) => ChainDeps {
  return (deps, plan) => {
    seen.plan = plan;
    // A hop's AssumeRole is signed by its caller: the source (hop 0), or the hop before it.
    const indexOfCaller = (c: Credentials): number | undefined => {
      if (seen.source?.credentials.accessKeyId === c.accessKeyId) return 0;
      const before = seen.hops.findIndex((h) => h?.credentials.accessKeyId === c.accessKeyId);
      return before < 0 ? undefined : before + 1;
    };
    const fail = (at: "source" | "session" | number, error: unknown) => {
      seen.failure ??= { at, error };
    };
    return {
      ...deps,
      source: async (p, wants) => {
        try {
          return (seen.source = await deps.source(p, wants));
        } catch (err) {
          fail("source", err);
          throw err;
        }
      },
      answerHop: async <R extends StepResult>(call: HopCall<R>): Promise<R> => {
        // An MFA session (GetSessionToken) is a step of its own before the hops, not one of them.
        const step = call.key === deps.sessionKey ? ("session" as const) : deps.hopKeys.indexOf(call.key);
        try {
          const result = await deps.answerHop(call);
          if (isSessionResult(result)) seen.session = result;
          else if (step !== "session") seen.hops[step] = result;
          return result;
        } catch (err) {
          fail(step, err);
          throw err;
        }
      },
      sts: (config) => {
        const api = deps.sts({
          ...config,
          onAnswer: (answer) => {
            config.onAnswer?.(answer);
            const serverDate = answer.date === undefined ? undefined : new Date(answer.date);
            if (serverDate !== undefined && !Number.isNaN(serverDate.getTime())) seen.answers.push({ serverDate, localDate: now() });
          },
        });
        const observed: StsApi = {
          ...api,
          assumeRole: (input) => {
            // Credentials still on their way (a hop sent before its caller answered) are known once they come.
            void Promise.resolve(config.credentials).then((caller) => {
              const index = caller === undefined ? undefined : indexOfCaller(caller);
              if (index !== undefined) seen.sent[index] = { input, caller: caller! };
            }, () => undefined);
            return api.assumeRole(input);
          },
        };
        return observed;
      },
    };
  };
}
