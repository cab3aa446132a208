import { spawn, type ChildProcess } from "node:child_process";
import { BIN, cleanEnv, ROOT } from "./cli.js";

/** A running `assume-role serve --imds` of the built CLI. */
export interface ServingImds {
  readonly child: ChildProcess;
  /** Everything it printed (complete: the variables are printed once). */
  readonly stdout: string;
  /** AWS_EC2_METADATA_SERVICE_ENDPOINT as printed in the sh form. */
  readonly url: string;
  stderr(): string;
  /** SIGTERM, then its exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];

/** Kill whatever a test left running (call from afterEach). */
export function killServing(): void {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/**
 * Start `assume-role serve --imds ARGS` with `env` (on top of a clean one); resolve once its output is
 * complete (`done` matches it; the sh form ends with the `unset` line), reject if it exits first.
 */
export function startServeImds(args: readonly string[], env: Record<string, string | undefined>, done = /^unset .*\n$/m): Promise<ServingImds> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "--imds", ...args], { env: cleanEnv(env), cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    running.push(child);
    let stdout = "";
    let stderr = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on("close", (code, signal) => res({ code, signal })));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!done.test(stdout)) return;
      const url = /^export AWS_EC2_METADATA_SERVICE_ENDPOINT='([^']*)'$/m.exec(stdout)?.[1] ?? "";
      resolve({
        child,
        stdout,
        url,
        stderr: () => stderr,
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    void exited.then(({ code }) => reject(new Error(`serve --imds exited ${code} before printing: ${stderr}`)));
  });
}

/** An IMDSv2 session token from `url` (PUT /latest/api/token with this TTL); throws unless 200. */
export async function imdsToken(url: string, ttlSeconds = 60): Promise<string> {
  const res = await fetch(new URL("latest/api/token", url), { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": String(ttlSeconds) } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`token PUT answered ${res.status}: ${body}`);
  return body;
}

/** GET `path` (relative: "latest/meta-data/...") with `token` when given: status and body. */
export async function imdsGet(url: string, path: string, token?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(new URL(path, url), { headers: token === undefined ? {} : { "x-aws-ec2-metadata-token": token } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
