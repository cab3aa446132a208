import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/assume-role.js");

/**
 * An IMDS endpoint where nothing listens, so tests never fall through to the real one.
 * (Not a low port: fetch refuses "bad ports" such as 9 before connecting.)
 */
export const CLOSED_IMDS = "http://127.0.0.1:65531";

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * A clean environment for the built CLI: no ambient AWS_* variables from the developer's machine,
 * a fresh HOME, IMDS pointed at loopback unless the caller points it elsewhere.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), "assume-role-home-")),
    LANG: "C.UTF-8",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function spawnCollect(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  input?: string,
  opts: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd ?? ROOT, stdio: ["pipe", "pipe", "pipe"], timeout: opts.timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started }));
    child.stdin.end(input ?? "");
  });
}

/** Run the built CLI (`npm run build` first) with a clean environment plus `env`. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return spawnCollect(process.execPath, [BIN, ...args], cleanEnv(env));
}

/** Single-quote for a POSIX shell script built by a test. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Evaluate `script` in real bash with `env`, then read the environment back byte-exact
 * (node prints it as JSON after the eval). Returns the variables as the shell left them.
 */
export async function bashEnvAfter(script: string, env: Record<string, string>): Promise<Record<string, string | undefined>> {
  const dump = `exec ${shQuote(process.execPath)} -e 'process.stdout.write(JSON.stringify(process.env))'`;
  const r = await spawnCollect("bash", ["-c", `${script}\n${dump}`], env);
  if (r.code !== 0) throw new Error(`bash exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string | undefined>;
}

/** A loopback port that was free a moment ago (bind 127.0.0.1:0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
