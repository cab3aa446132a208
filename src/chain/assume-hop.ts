import type { HopResult, StepResult } from "../types.js";

/**
 * One hop as the chain hands it to whatever answers it: `key` names the hop's entry from the plan and local facts
 * alone (the source identity, then every hop's parameters up to this one; never a secret), and `run` makes the hop's
 * AssumeRole, pulling its caller's credentials (the source or the hop before) only when it is called.
 */
export interface HopCall<R extends StepResult = HopResult> {
  readonly key: readonly string[];
  /** The role as planned (an ARN or a bare name), for messages. */
  readonly label: string;
  readonly run: () => Promise<R>;
}

/**
 * Answers a hop (or the MFA session, which is cached the same way): the plain one runs it; the cache
 * (cache/with-cache.ts) may answer from disk instead.
 */
export type AnswerHop = <R extends StepResult>(call: HopCall<R>) => Promise<R>;

export const runHopCall: AnswerHop = (call) => call.run();
