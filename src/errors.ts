/** Every failure the user can act on is a CliError; main.ts alone turns it into an exit code. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  noSource: 3,
  accessDenied: 4,
  mfaRequired: 5,
  network: 6,
  throttled: 7,
  config: 8,
} as const;

export class CliError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode: number; hint?: string | undefined; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode;
    this.hint = opts.hint;
  }
}

type Opts = { hint?: string | undefined; cause?: unknown };

export class UsageError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.usage });
  }
}

export class NoCredentialsError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.noSource });
  }
}

export class AccessDeniedError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.accessDenied });
  }
}

export class MfaRequiredError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.mfaRequired });
  }
}

export class NetworkError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.network });
  }
}

/**
 * An STS or IMDS answer that is not what the protocol promises: malformed or cut-off XML/JSON, a proxy's
 * HTML page, credentials missing or already expired. Exit 6 like any other trouble on the way, never 1.
 */
export class BadAnswerError extends NetworkError {}

export class ThrottledError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.throttled });
  }
}

export class ConfigError extends CliError {
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.config });
  }
}

/** An STS error that is not one of the above (ValidationError, ExpiredToken, ...): exit 1 is wrong, 8 is "fix your input". */
export class StsRequestError extends CliError {
  readonly code: string;
  constructor(message: string, code: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.config });
    this.code = code;
  }
}
