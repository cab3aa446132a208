import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { runCli } from "./cli.js";
import type { Context } from "./context.js";
import { createImdsRequest } from "./imds/imds-http.js";
import { createSts } from "./sts/create-sts.js";
import { createIam } from "./iam/create-iam.js";
import { supportsColor, supportsColorStderr } from "chalk";
import { askTerminal } from "./ui/ask-terminal.js";
import { colourLevel, createColours } from "./ui/colours.js";
import { RedactingWriter } from "./ui/redacting-writer.js";

/** The only module that touches `process`: it builds the Context, runs the CLI, sets the exit code. */
const argv = process.argv.slice(2);
let verbose = false;
const stderr = new RedactingWriter({ write: (s) => void process.stderr.write(s) });

// Dependencies' process warnings (the SDK's Node-version notice) would break "silent on success".
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (verbose) stderr.write(`assume-role: (dependency warning) ${w.name}: ${w.message.split("\n")[0]}\n`);
});

// A reader that goes away early (`assume-role -f json | head -1`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
});

let stopped: Promise<string> | undefined;
let slowdown: number | undefined;
const ctx: Context = {
  env: Object.freeze({ ...process.env }),
  stdout: { write: (s) => void process.stdout.write(s) },
  stderr,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  colours: createColours(
    colourLevel(process.env, Boolean(process.stdout.isTTY), supportsColor ? supportsColor.level : 0),
    colourLevel(process.env, Boolean(process.stderr.isTTY), supportsColorStderr ? supportsColorStderr.level : 0),
  ),
  now: () => new Date(),
  fetch: globalThis.fetch,
  imdsRequest: createImdsRequest(),
  hostSlowdown: () => (slowdown ??= measureSlowdown()),
  sts: (config) =>
    createSts({
      ...config,
      useFipsEndpoint: process.env.AWS_USE_FIPS_ENDPOINT === "true",
      useDualstackEndpoint: process.env.AWS_USE_DUALSTACK_ENDPOINT === "true",
    }),
  iam: (config) => createIam(config),
  fs,
  spawn,
  askTerminal,
  pid: process.pid,
  isProcessRunning: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  },
  platform: process.platform,
  hostname: () => hostname(),
  username: () => safeUsername(),
  protectSecret: (secret) => stderr.protect(secret),
  untilStopped: () =>
    (stopped ??= new Promise((resolve) => {
      for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, () => resolve(sig));
    })),
  onSignals: (handler) => {
    const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
    for (const sig of signals) process.on(sig, handler);
    return () => signals.forEach((sig) => process.off(sig, handler));
  },
};

process.exitCode = await runCli(ctx, argv, (v) => (verbose = v));

/**
 * The time this process wanted to run (wall time since start, minus the event loop's idle waits for I/O and
 * timers) over the CPU time it got: about 1 on a host with CPU to spare, large on a saturated one.
 */
function measureSlowdown(): number {
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  const busyMs = process.uptime() * 1000 - performance.eventLoopUtilization().idle;
  return cpuMs > 0 ? Math.max(1, busyMs / cpuMs) : 1;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}
