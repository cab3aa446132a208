/** Failure modes the sandbox can simulate, switchable at start-up or at any time with setFaults. */
export interface Faults {
  /** Milliseconds added before every response (IMDS and STS). */
  latencyMs: number;
  /** The first N STS requests get HTTP 400 <Code>Throttling</Code> "Rate exceeded". */
  stsThrottleFirst: number;
  /** The first N STS requests after the throttled ones get HTTP 503 ServiceUnavailable. */
  sts5xxFirst: number;
  /** IMDS without v2: the token PUT answers 405 (method not allowed). */
  imdsV1Only: boolean;
  /** HttpTokens=required: GETs without a valid token get 401. */
  imdsV2Required: boolean;
  /** The token PUT never answers (hop limit 1 inside a container); GETs still work. */
  imdsTokenUnanswered: boolean;
  /** Every IMDS request: the socket is destroyed without a response. */
  imdsDown: boolean;
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
  imdsV1Only: false,
  imdsV2Required: false,
  imdsTokenUnanswered: false,
  imdsDown: false,
  imdsNoIdentityDocument: false,
  stsSessionSeconds: 0,
};

/**
 * Holds the current faults. "The first N STS requests" counts from the moment the STS fault was
 * set (at start-up or by the setFaults call that named stsThrottleFirst / sts5xxFirst).
 */
export class FaultState {
  #faults: Faults;
  #stsSeen = 0;

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
  }

  /** Called once per STS request: which injected failure (if any) this request gets. */
  nextStsFault(): "throttle" | "unavailable" | undefined {
    const index = this.#stsSeen++;
    const { stsThrottleFirst, sts5xxFirst } = this.#faults;
    if (index < stsThrottleFirst) return "throttle";
    if (index < stsThrottleFirst + sts5xxFirst) return "unavailable";
    return undefined;
  }
}

function definedOnly(update: Partial<Faults>): Partial<Faults> {
  return Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)) as Partial<Faults>;
}
