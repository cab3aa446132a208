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

/**
 * Each class names itself (`name`, as `caused by:` and stack traces show it) with a string, not its
 * constructor's name: the bundle is minified without esbuild's keepNames (scripts/build-bundle.js).
 */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode: number; hint?: string | undefined; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode;
    this.hint = opts.hint;
  }
}

type Opts = { hint?: string | undefined; cause?: unknown };

export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.usage });
  }
}

export class NoCredentialsError extends CliError {
  override name = "NoCredentialsError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.noSource });
  }
}

export class AccessDeniedError extends CliError {
  override name = "AccessDeniedError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.accessDenied });
  }
}

export class MfaRequiredError extends CliError {
  override name = "MfaRequiredError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.mfaRequired });
  }
}

export class NetworkError extends CliError {
  override name = "NetworkError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.network });
  }
}

/**
 * An STS or IMDS answer that is not what the protocol promises: malformed or cut-off XML/JSON, a proxy's
 * HTML page, credentials missing or already expired. Exit 6 like any other trouble on the way, never 1.
 */
export class BadAnswerError extends NetworkError {
  override name = "BadAnswerError";
}

export class ThrottledError extends CliError {
  override name = "ThrottledError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.throttled });
  }
}

export class ConfigError extends CliError {
  override name = "ConfigError";
  constructor(message: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.config });
  }
}

/** An STS error that is not one of the above (ValidationError, ExpiredToken, ...): exit 1 is wrong, 8 is "fix your input". */
export class StsRequestError extends CliError {
  override name = "StsRequestError";
  readonly code: string;
  constructor(message: string, code: string, opts: Opts = {}) {
    super(message, { ...opts, exitCode: EXIT.config });
    this.code = code;
  }
}
