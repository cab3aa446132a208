/** Failure modes the sandbox can simulate, switchable at start-up or at any time with setFaults. */

import type { ImdsFaultKind, StsFaultKind } from "./fault-kinds.js";

export type { ImdsFaultKind, StsFaultKind } from "./fault-kinds.js";

export interface Faults {
  /** Milliseconds added before every response (IMDS and STS). */
  latencyMs: number;
  /** The first N STS requests get HTTP 400 <Code>Throttling</Code> "Rate exceeded". */
  stsThrottleFirst: number;
  /** The first N STS requests after the throttled ones get HTTP 503 ServiceUnavailable. */
  sts5xxFirst: number;
  /** Every STS request after the throttled and 5xx ones answers this way ("none": normally). */
  stsFault: StsFaultKind;
  /** IMDS without v2: the token PUT answers 405 (method not allowed). */
  imdsV1Only: boolean;
  /** HttpTokens=required: GETs without a valid token get 401. */
  imdsV2Required: boolean;
  /** The token PUT never answers (hop limit 1 inside a container); GETs still work. */
  imdsTokenUnanswered: boolean;
  /** Every IMDS request: the socket is destroyed without a response. */
  imdsDown: boolean;
  /** After the first N GETs, every GET answers 401, even with a fresh token (0: off). */
  imds401After: number;
  /** How IMDS answers ("none": normally). */
  imdsFault: ImdsFaultKind;
  /** IMDS without /latest/dynamic/instance-identity/ (404), like moto and other emulators. */
  imdsNoIdentityDocument: boolean;
  /**
   * Sessions issued by STS from now on expire after at most this many seconds, whatever
   * DurationSeconds asked (0: as asked). Forces expiries in seconds for long-job tests.
   */
  stsSessionSeconds: number;
}

export const NO_FAULTS: Readonly<Faults> = {
  latencyMs: 0,
  stsThrottleFirst: 0,
  sts5xxFirst: 0,
  stsFault: "none",
  imdsV1Only: false,
  imdsV2Required: false,
  imdsTokenUnanswered: false,
  imdsDown: false,
  imds401After: 0,
  imdsFault: "none",
  imdsNoIdentityDocument: false,
  stsSessionSeconds: 0,
};

export type StsFaultNow = "throttle" | "unavailable" | Exclude<StsFaultKind, "none"> | undefined;

/**
 * Holds the current faults. "The first N STS requests" counts from the moment the STS fault was
 * set (at start-up or by the setFaults call that named stsThrottleFirst / sts5xxFirst); "the first
 * N IMDS GETs" likewise from the setFaults call that named imds401After.
 */
export class FaultState {
  #faults: Faults;
  #stsSeen = 0;
  #imdsGets = 0;

  constructor(initial: Partial<Faults> = {}) {
    this.#faults = { ...NO_FAULTS, ...definedOnly(initial) };
  }

  get current(): Readonly<Faults> {
    return this.#faults;
  }

  set(update: Partial<Faults>): void {
    const defined = definedOnly(update);
    this.#faults = { ...this.#faults, ...defined };
    if (defined.stsThrottleFirst !== undefined || defined.sts5xxFirst !== undefined) this.#stsSeen = 0;
    if (defined.imds401After !== undefined) this.#imdsGets = 0;
  }

  /** Called once per STS request: which injected failure (if any) this request gets. */
  nextStsFault(): StsFaultNow {
    const index = this.#stsSeen++;
    const { stsThrottleFirst, sts5xxFirst, stsFault } = this.#faults;
    if (index < stsThrottleFirst) return "throttle";
    if (index < stsThrottleFirst + sts5xxFirst) return "unavailable";
    return stsFault === "none" ? undefined : stsFault;
  }

  /** Called once per IMDS GET: true when it must be refused with 401 (the imds401After fault). */
  nextImdsGetRefused(): boolean {
    const index = this.#imdsGets++;
    const after = this.#faults.imds401After;
    return after > 0 && index >= after;
  }
}

function definedOnly(update: Partial<Faults>): Partial<Faults> {
  return Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)) as Partial<Faults>;
}
