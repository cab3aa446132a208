import type { StsFactory } from "./sts/sts-api.js";

export interface Writer {
  write(text: string): void;
}

/**
 * Everything below main.ts reaches the outside world through this object:
 * environment, streams, clock, HTTP (IMDS), STS, host facts, signals.
 */
export interface Context {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly stderrIsTTY: boolean;
  readonly now: () => Date;
  readonly fetch: typeof globalThis.fetch;
  readonly sts: StsFactory;
  readonly hostname: () => string;
  readonly username: () => string;
  /** Register a secret so that nothing written to stderr can contain it. */
  readonly protectSecret: (secret: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly untilStopped: () => Promise<string>;
}
