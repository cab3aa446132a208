import { fstatSync, writeSync } from "node:fs";
import { runCli } from "./cli.js";
import type { Context, Writer } from "./context.js";
import { createImdsRequest } from "./imds/imds-http.js";
import { createIam } from "./iam/create-iam.js";
import { createSts } from "./sts/create-sts.js";
import type { Colours } from "./ui/colours.js";
import { fdWriter } from "./ui/fd-writer.js";
import { RedactingWriter } from "./ui/redacting-writer.js";

/** The only module that touches `process`: it builds the Context, runs the CLI, sets the exit code. */

// What not every run needs is loaded on first use with require(): main.ts runs only as the CommonJS bundle
// (scripts/build-bundle.js), where require() loads (and esbuild's bundled modules initialise) synchronously,
// as ctx's fields are used. Loaded at start-up, child_process and chalk (with tty and os) cost a fifth of
// `--help` (callgrind), and child_process and tty pull in net, dgram and the stream modules.
const childProcess = () => require("node:child_process") as typeof import("node:child_process");
const os = () => require("node:os") as typeof import("node:os");
const argv = process.argv.slice(2);
let verbose = false;
const stderr = new RedactingWriter({ write: (s) => void process.stderr.write(s) });

// Dependencies' process warnings (the SDK's Node-version notice) would break "silent on success".
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (verbose) stderr.write(`assume-role: (dependency warning) ${w.name}: ${w.message.split("\n")[0]}\n`);
});

// stdout straight to fd 1 (ui/fd-writer.ts): building process.stdout costs more than the rest of a cache hit's
// output. Windows consoles need Node's stream. A reader that goes away early (`assume-role -f json | head -1`)
// is not an error worth a stack trace.
const stdout: Writer =
  process.platform === "win32"
    ? { write: (s) => void process.stdout.write(s) }
    : fdWriter({ writeSync: (bytes) => writeSync(1, bytes), stream: () => process.stdout });
if (process.platform === "win32") {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
  });
}

let stopped: Promise<string> | undefined;
// Measured now, before the event loop has waited on anything: see measureSlowdown.
const slowdown = measureSlowdown();
let colours: Colours | undefined;
let username: string | undefined;
const ctx: Context = {
  env: Object.freeze({ ...process.env }),
  stdout,
  stderr,
  // A getter: process.stderr is built only when something is written to it or asks this.
  get stderrIsTTY() {
    return Boolean(process.stderr.isTTY);
  },
  stdoutTerminal,
  // A getter: only what prints for people (whoami, doctor, errors) asks, and only then are the streams examined.
  get colours() {
    if (colours === undefined) {
      const { colourLevel, createColours } = require("./ui/colours.js") as typeof import("./ui/colours.js");
      const { supportsColor, supportsColorStderr } = require("chalk") as typeof import("chalk");
      colours = createColours(
        colourLevel(process.env, Boolean(process.stdout.isTTY), supportsColor ? supportsColor.level : 0),
        colourLevel(process.env, Boolean(process.stderr.isTTY), supportsColorStderr ? supportsColorStderr.level : 0),
      );
    }
    return colours;
  },
  now: () => new Date(),
  fetch: globalThis.fetch,
  imdsRequest: createImdsRequest(),
  hostSlowdown: () => slowdown,
  sts: (config) =>
    createSts({
      ...config,
      useFipsEndpoint: process.env.AWS_USE_FIPS_ENDPOINT === "true",
      useDualstackEndpoint: process.env.AWS_USE_DUALSTACK_ENDPOINT === "true",
      userAgentAppId: process.env.AWS_SDK_UA_APP_ID || undefined,
      retryMode: process.env.AWS_RETRY_MODE || undefined,
    }),
  iam: (config) => createIam(config),
  get fs() {
    return require("node:fs/promises") as typeof import("node:fs/promises");
  },
  get spawn() {
    return childProcess().spawn;
  },
  askTerminal: async (question) => (await import("./ui/ask-terminal.js")).askTerminal(question),
  pid: process.pid,
  uid: process.geteuid?.(),
  isProcessRunning: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  },
  platform: process.platform,
  hostname: () => os().hostname(),
  // Once: each asks NSS, which reads /etc/nsswitch.conf and /etc/passwd, and a chain asks three times.
  username: () => (username ??= safeUsername()),
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

// No top-level await: the bundle is CommonJS (scripts/build-bundle.js), which loads faster than ESM on Node 20.
void runCli(ctx, argv, (v) => (verbose = v)).then((code) => {
  process.exitCode = code;
});

/**
 * The time this process wanted to run over the CPU time it got: about 1 on a host with CPU to spare, large on a
 * saturated one. Taken while main.cjs starts, before the event loop has waited on anything, every millisecond since
 * the process started is one it wanted to run: no need to subtract the event loop's idle time, which only
 * perf_hooks knows (loading it cost 2 ms before the first IMDS request).
 */
function measureSlowdown(): number {
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  return cpuMs > 0 ? Math.max(1, (process.uptime() * 1000) / cpuMs) : 1;
}

/**
 * stdout's terminal. process.stdout is built (tty and net loaded) only when fd 1 is a character device: a
 * terminal, or /dev/null; a pipe or a file is answered by one fstat.
 */
function stdoutTerminal(): { columns: number; hasColors: boolean } | undefined {
  try {
    if (!fstatSync(1).isCharacterDevice()) return undefined;
  } catch {
    return undefined; // no fd 1
  }
  const out = process.stdout;
  return out.isTTY ? { columns: out.columns, hasColors: out.hasColors() } : undefined;
}

function safeUsername(): string {
  try {
    return os().userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}
