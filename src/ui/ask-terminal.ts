import { open, type FileHandle } from "node:fs/promises";
import { isatty } from "node:tty";
import { PromptClosedError } from "./prompt-closed-error.js";

export { PromptClosedError };

/** Longest answer kept; the rest of an over-long line is read and dropped. */
const MAX_ANSWER = 1024;
const NEWLINE = /[\r\n]/;
/** ETX (Ctrl-C) and EOT (Ctrl-D) only arrive as bytes when the terminal is in raw mode. */
const INTERRUPT = "\x03";
const END_OF_TRANSMISSION = "\x04";

/**
 * Ask a question on the controlling terminal: prompt written to /dev/tty, answer (one line, without
 * its line ending) read from it. stdout and stdin are never touched, so `eval "$(assume-role ...)"`
 * and redirections keep working. Undefined when there is no terminal (cron, CI, setsid, no /dev/tty).
 *
 * The terminal's mode is left as it is (cooked, echo on): the kernel does the line editing and turns
 * Ctrl-C into SIGINT for the whole foreground job, so the shell abandons the command line as it does
 * for any Ctrl-C, and no path (not even SIGKILL) can leave the user's terminal without echo. A one-time
 * code is no lasting secret, and seeing it helps catch a typo.
 *
 * The one module that does I/O itself instead of through the Context (main.ts injects it as ctx.askTerminal).
 */
export async function askTerminal(question: string): Promise<string | undefined> {
  const tty = await openTerminal();
  if (tty === undefined) return undefined;
  try {
    await tty.write(question);
    return await readLine(tty);
  } catch (err) {
    // Ctrl-D echoes nothing: end the prompt's line so the error message starts on a fresh one.
    if (err instanceof PromptClosedError) await tty.write("\n").catch(() => undefined);
    throw err;
  } finally {
    await tty.close();
  }
}

/** /dev/tty opened read-write; undefined when the process has no controlling terminal (ENXIO), none exists (ENOENT, Windows), or it is not ours (EACCES). */
async function openTerminal(): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open("/dev/tty", "r+");
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code === "string") return undefined;
    throw err;
  }
  if (!isatty(handle.fd)) {
    await handle.close();
    return undefined;
  }
  return handle;
}

/**
 * One line from the terminal. In cooked mode every read returns at most one line; in raw mode bytes
 * arrive one by one and the line ends at CR. A blocking read on the thread pool: nothing to clean up
 * when a signal ends the process mid-prompt.
 */
async function readLine(tty: FileHandle): Promise<string> {
  const buffer = Buffer.alloc(256);
  let answer = "";
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await tty.read(buffer, 0, buffer.length, null));
    } catch (err) {
      throw new PromptClosedError((err as NodeJS.ErrnoException).code ?? "read failed", { cause: err });
    }
    if (bytesRead === 0) {
      if (answer === "") throw new PromptClosedError("end of input");
      return answer;
    }
    const chunk = buffer.toString("utf8", 0, bytesRead);
    if (chunk.includes(INTERRUPT)) throw new PromptClosedError("interrupted");
    if (answer === "" && chunk.startsWith(END_OF_TRANSMISSION)) throw new PromptClosedError("end of input");
    const end = chunk.search(NEWLINE);
    answer = (answer + (end === -1 ? chunk : chunk.slice(0, end))).slice(0, MAX_ANSWER);
    if (end !== -1) return answer;
  }
}
