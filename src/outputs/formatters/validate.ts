import { UsageError } from "../../errors.js";

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with the u flag only unpaired halves match

/**
 * A value the chosen format cannot write so that the reader gets it back exactly.
 * The message names the variable and the rule, never the value: it may be a secret.
 */
export class UnrepresentableValueError extends UsageError {
  override name = "UnrepresentableValueError";
  readonly format: string;
  readonly variable: string;
  readonly rule: string;
  constructor(format: string, variable: string, rule: string, hint = "choose another --format (json carries any value)") {
    super(`--format ${format} cannot carry the value of ${variable}: ${rule}`, { hint });
    this.format = format;
    this.variable = variable;
    this.rule = rule;
  }
}

/** Variable names come from our own code, so a bad one is a bug: a plain Error. Names are not secret. */
export function assertVarName(name: string): void {
  if (!VAR_NAME.test(name)) {
    throw new Error(`invalid environment variable name ${JSON.stringify(name)}: must match ${VAR_NAME.source}`);
  }
}

/** What no environment variable can hold, whatever the shell: NUL, and text with no UTF-8 encoding. */
export function assertEnvValue(format: string, name: string, value: string): void {
  if (value.includes("\0")) {
    throw new UnrepresentableValueError(format, name, "it contains a NUL character, which no environment variable can hold");
  }
  if (LONE_SURROGATE.test(value)) {
    throw new UnrepresentableValueError(format, name, "it contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding");
  }
}

/** Both checks, for every assignment of a shell-like format. */
export function checkAssignment(format: string, name: string, value: string): void {
  assertVarName(name);
  assertEnvValue(format, name, value);
}
