/**
 * Run the built CLI with a time limit, a chosen working directory and an exact environment.
 * For cases that may hang (a FIFO where a file should be) or read without end (a link to /dev/zero):
 * the CLI runs in its own process group, under a 2 GB data-segment limit (`ulimit -d`; an address-space
 * limit would break the WebAssembly that Node's fetch loads), and the whole group is
 * killed when the time is up; the result then says `timedOut` instead of the test waiting forever.
 */
import { spawn } from "node:child_process";
import { BIN } from "./cli.js";

export interface BoundedResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly timedOut: boolean;
  readonly ms: number;
}

export interface BoundedRun {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
}

/** Data cap (KiB) so that a CLI reading an endless device fails instead of eating the machine's memory. */
const DATA_KIB = 2_000_000;

export function runCliBounded(run: BoundedRun): Promise<BoundedResult> {
  const started = performance.now();
  const script = `ulimit -d ${DATA_KIB} && exec "$0" "$@"`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn("bash", ["-c", script, process.execPath, BIN, ...run.args], {
      env: run.env,
      cwd: run.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, run.timeoutMs);
    child.stdout.on("data", (d: Buffer) => stdout.push(d));
    child.stderr.on("data", (d: Buffer) => stderr.push(d));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        timedOut,
        ms: performance.now() - started,
      });
    });
    child.stdin.end();
  });
}
