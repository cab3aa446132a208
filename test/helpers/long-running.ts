import { spawn } from "node:child_process";
import { BIN, cleanEnv, ROOT, type RunResult } from "./cli.js";

/**
 * Run a command of the built CLI that serves until stopped (`serve`, `sandbox`): wait until its stdout
 * matches `ready`, send SIGTERM, and collect everything it wrote. A run that ends by itself first (an
 * error, `--dry-run`, `--help`) is returned as it ended. Fails if neither happens within `timeoutMs`.
 */
export function runUntilReady(
  args: readonly string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
  timeoutMs = 90_000,
): Promise<RunResult & { readonly stopped: boolean }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`assume-role ${args.join(" ")}: not ready after ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!stopped && ready.test(stdout)) {
        stopped = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, stopped, ms: performance.now() - started });
    });
  });
}
