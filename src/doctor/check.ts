/** One line of doctor's report: what was checked, how it went, and (when it did not) what to change. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** A policy statement that would allow a denied hop, and where it goes. */
export interface StatementAdvice {
  /** `identity`: a permission policy of the caller; `trust`: the role's trust policy. */
  readonly side: "identity" | "trust";
  /** The user or role whose identity policy needs it, or the role whose trust policy needs it. */
  readonly attachTo: string;
  /** What IAM said (or could not say) of this side: allows, denies, or unknown and why. */
  readonly verdict: "allows" | "denies" | "unknown";
  readonly why: string;
  readonly statement: Readonly<Record<string, unknown>>;
}

export interface Check {
  /** `environment`, `source`, `clock`, `hop 2`, `identity`, `result`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** One line. */
  readonly summary: string;
  /** Facts found on the way, one per line. */
  readonly details?: readonly string[] | undefined;
  /** What to change, one step per line. */
  readonly remedy?: readonly string[] | undefined;
  readonly statements?: readonly StatementAdvice[] | undefined;
  /** The exit code a failing check stands for. */
  readonly exitCode?: number | undefined;
}
