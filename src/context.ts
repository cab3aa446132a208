import type { spawn } from "node:child_process";
import type * as fsPromises from "node:fs/promises";
import type { ImdsRequest } from "./imds/imds-http.js";
import type { Colours } from "./ui/colours.js";
import type { StsFactory } from "./sts/sts-api.js";
import type { IamFactory } from "./iam/iam-api.js";

export interface Writer {
  write(text: string): void;
}

/**
 * Everything below main.ts reaches the outside world through this object:
 * environment, streams, clock, files, processes, HTTP (container, OIDC), IMDS, STS, the terminal, signals.
 */
export interface Context {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly stderrIsTTY: boolean;
  /** stdout's terminal (width, colour support); undefined when stdout is not a terminal. Absent: not a terminal. */
  readonly stdoutTerminal?: () => { readonly columns: number; readonly hasColors: boolean } | undefined;
  /** Chalk instances for human-facing text on stdout and stderr (plain when not a terminal, NO_COLOR, ...). */
  readonly colours: Colours;
  readonly now: () => Date;
  /** HTTP for the container endpoint and OIDC token requests. */
  readonly fetch: typeof globalThis.fetch;
  /** IMDS requests: node:http with one keep-alive agent for the run (see imds/imds-http.ts). */
  readonly imdsRequest: ImdsRequest;
  /**
   * How many times longer than the CPU time it got this process has been trying to run (>= 1; waits for I/O
   * do not count), measured once: large on a saturated host, where IMDS timeouts stretch (imds/imds-client.ts).
   */
  readonly hostSlowdown: () => number;
  readonly sts: StsFactory;
  /** IAM reads (doctor): GetRole, SimulatePrincipalPolicy. */
  readonly iam: IamFactory;
  readonly fs: typeof fsPromises;
  readonly spawn: typeof spawn;
  /** Ask on the controlling terminal (/dev/tty), never stdout; undefined when there is no terminal. */
  readonly askTerminal: (question: string) => Promise<string | undefined>;
  readonly hostname: () => string;
  readonly username: () => string;
  readonly pid: number;
  /** The effective uid, which owns the files this process creates; undefined where there is none (Windows). */
  readonly uid: number | undefined;
  /** Whether a process with this pid runs on this host (signal 0); absent where that cannot be asked. */
  readonly isProcessRunning?: ((pid: number) => boolean) | undefined;
  readonly platform: NodeJS.Platform;
  /** Register a secret so that nothing written to stderr can contain it. */
  readonly protectSecret: (secret: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM/SIGHUP); long-running commands await it. */
  readonly untilStopped: () => Promise<string>;
  /** Receive SIGINT, SIGTERM, SIGHUP and SIGQUIT instead of dying of them (exec forwards them); returns an uninstaller. */
  readonly onSignals: (handler: (signal: NodeJS.Signals) => void) => () => void;
}
