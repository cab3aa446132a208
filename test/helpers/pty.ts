/**
 * Real terminals for tests: a tmux server on its own socket whose panes run an interactive bash on a
 * pseudo-terminal (the pane is the shell's controlling terminal, /dev/tty), typed into with
 * `send-keys` and read back with `capture-pane`; and the opposite, a process with no controlling
 * terminal at all (setsid), as under cron or a CI runner.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, shQuote, type RunResult } from "./cli.js";
import { hasCommand } from "./shells.js";

/** Why the tmux tests cannot run here, or undefined when they can. */
export function tmuxMissing(): string | undefined {
  return hasCommand("tmux") ? undefined : "tmux is not installed (apt-get install tmux): the pseudo-terminal tests need it";
}

/** The shell prompt of every pane, so a test can tell when bash is ready for the next line. */
export const PANE_PS1 = "pty$ ";
const POLL_MS = 50;
/** A bound on waiting for a screen or a file, so a broken prompt fails the test instead of hanging it. */
const WAIT_MS = 20_000;

/** A tmux server on a dedicated socket (`tmux -L NAME`); every pane inherits the env it started with. */
export class TmuxServer {
  private sessions = 0;

  private constructor(
    readonly socket: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Start the server with `env` as the environment of every pane (plus TERM and tmux's own variables). */
  static async start(env: Record<string, string>): Promise<TmuxServer> {
    const socket = `assume-role-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const server = new TmuxServer(socket, env);
    await server.tmux("-f", "/dev/null", "start-server", ";", "set-option", "-g", "exit-empty", "off");
    return server;
  }

  /** A new session running `bash --norc` in a 200x50 pane with `env` added, started in `cwd`, ready for input. */
  async newPane(env: Record<string, string> = {}, cwd: string = ROOT): Promise<TmuxPane> {
    const name = `s${++this.sessions}`;
    // tmux drops PS1 from the environment it hands to panes: set it on the shell's command line.
    const shell = `env PS1=${shQuote(PANE_PS1)} bash --norc --noprofile`;
    const vars = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await this.tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", "-c", cwd, ...vars, shell);
    const pane = new TmuxPane(this, name);
    await pane.waitForScreen(PANE_PS1.trim());
    return pane;
  }

  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => undefined);
  }

  tmux(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile("tmux", ["-L", this.socket, ...args], { env: this.env }, (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args.join(" ")}: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });
  }
}

export class TmuxPane {
  constructor(
    private readonly server: TmuxServer,
    readonly target: string,
  ) {}

  /** Type `text` literally, then Enter. */
  async typeLine(text: string): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.target, "-l", text);
    await this.keys("Enter");
  }

  /** Named keys: "Enter", "C-c", "C-d", ... */
  async keys(...keys: string[]): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.target, ...keys);
  }

  /** What the pane shows now (wrapped lines joined). */
  async screen(): Promise<string> {
    return this.server.tmux("capture-pane", "-p", "-J", "-t", this.target);
  }

  /** Wait until the screen shows `text` `times` times; returns the screen. */
  async waitForScreen(text: string, times = 1): Promise<string> {
    let shown = "";
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(POLL_MS)) {
      shown = await this.screen();
      if (shown.split(text).length - 1 >= times) return shown;
    }
    throw new Error(`the pane never showed ${JSON.stringify(text)}; it shows:\n${shown}`);
  }
}

/** Wait until `path` exists and is non-empty; returns its text. */
export async function waitForFile(path: string): Promise<string> {
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(POLL_MS)) {
    try {
      const text = readFileSync(path, "utf8");
      if (text !== "") return text;
    } catch {
      // not yet
    }
  }
  throw new Error(`${path} was never written`);
}

/** A temp directory holding an `assume-role` wrapper for the built CLI (put it first on PATH). */
export function cliBinDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "assume-role-bin-"));
  const wrapper = join(dir, "assume-role");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(BIN)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return dir;
}

/**
 * Run the built CLI in a new session (setsid) so that it has no controlling terminal: opening
 * /dev/tty fails with ENXIO, as under cron. stdin is /dev/null.
 */
export function runCliWithoutTerminal(args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  return runWithoutTerminal(process.execPath, [BIN, ...args], env);
}

export function runWithoutTerminal(cmd: string, args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
