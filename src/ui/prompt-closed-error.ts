/**
 * The terminal ended the input instead of answering: Ctrl-D (end of file), a hang-up, or Ctrl-C typed
 * while someone else left the terminal in raw mode (in the normal cooked mode Ctrl-C is a SIGINT and
 * the process just dies of it, exit 130, with nothing written to stdout).
 * Its own file: mfa-code.ts, on every chain's path, needs it without ask-terminal.ts (node:tty, node:fs/promises).
 */
export class PromptClosedError extends Error {
  readonly reason: string;
  constructor(reason: string, opts?: { cause?: unknown }) {
    super(`the terminal input ended (${reason})`, opts);
    this.name = "PromptClosedError";
    this.reason = reason;
  }
}
