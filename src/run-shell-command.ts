/**
 * Run a configured command (credential_process, mfa_process) in the platform shell, as the JS and Rust SDKs do:
 * `/bin/sh -c CMD`, or `cmd.exe /d /s /c "CMD"` on Windows. Its stdin is the user's; its stdout is collected (up to
 * `maxStdout` characters; more sets `truncated`) and never printed here; its stderr is either the user's
 * (`inherit`, so a hardware key's "touch your key" reaches them) or collected (its last 16 KiB).
 */
import type { Context } from "./context.js";

const STDERR_TAIL = 16 << 10;

export interface ShellOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderr: "pipe" | "inherit";
  readonly maxStdout: number;
}

export interface ShellResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** Empty with `stderr: "inherit"`. */
  readonly stderr: string;
  /** stdout went past `maxStdout`: what was kept is only its start. */
  readonly truncated: boolean;
  /** The command could not be started (spawn failed). */
  readonly error?: Error | undefined;
}

export function runShellCommand(ctx: Context, command: string, options: ShellOptions): Promise<ShellResult> {
  const windows = ctx.platform === "win32";
  const [file, args] = windows ? [ctx.env.ComSpec ?? "cmd.exe", ["/d", "/s", "/c", `"${command}"`]] : ["/bin/sh", ["-c", command]];
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let truncated = false;
    let error: Error | undefined;
    const child = ctx.spawn(file, args, {
      env: { ...options.env },
      stdio: ["inherit", "pipe", options.stderr],
      windowsVerbatimArguments: windows,
    });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      if (truncated || stdout.length + d.length > options.maxStdout) truncated = true;
      else stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    child.on("error", (err) => {
      error = err;
      resolve({ code: null, signal: null, stdout, stderr, truncated, error });
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, truncated, error }));
  });
}
