/**
 * mfa_process / --mfa-process (aws-vault's): run the command in the platform shell, as credential_process runs;
 * its stdout, trimmed, is the 6-digit code. Its stdin and stderr are the user's (a YubiKey's "touch your key" reaches
 * them); its stdout is never printed or quoted, not even in an error: it may hold a code or something worse.
 */
import type { Context } from "../context.js";
import { ConfigError, MfaRequiredError } from "../errors.js";

const CODE = /^\d{6}$/;
const MAX_STDOUT = 4096;

export async function runMfaProcess(ctx: Context, command: string, serial: string): Promise<string> {
  const origin = `MFA command for ${serial} (${command})`;
  const hint = "run the command yourself: it must print the current 6-digit code on stdout and exit 0";
  const run = await runCommand(ctx, command);
  if (run.error !== undefined) throw new MfaRequiredError(`${origin} could not be started: ${run.error.message}`, { hint, cause: run.error });
  if (run.code !== 0) {
    const status = run.code === null ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
    throw new MfaRequiredError(`${origin} ${status}: no MFA code`, { hint });
  }
  const code = run.stdout.trim();
  if (!CODE.test(code)) {
    const what = code === "" ? "printed nothing" : run.stdout.length > MAX_STDOUT ? "printed too much" : `printed ${code.length} characters that are not 6 digits`;
    throw new ConfigError(`${origin} ${what}: expected the 6-digit code on stdout (not shown here)`, { hint });
  }
  return code;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly error?: Error | undefined;
}

function runCommand(ctx: Context, command: string): Promise<RunResult> {
  const windows = ctx.platform === "win32";
  const [file, args] = windows ? [ctx.env.ComSpec ?? "cmd.exe", ["/d", "/s", "/c", `"${command}"`]] : ["/bin/sh", ["-c", command]];
  return new Promise((resolve) => {
    let stdout = "";
    let error: Error | undefined;
    const child = ctx.spawn(file, args, { env: { ...ctx.env }, stdio: ["inherit", "pipe", "inherit"], windowsVerbatimArguments: windows });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      if (stdout.length <= MAX_STDOUT) stdout += d;
    });
    child.on("error", (err) => {
      error = err;
      resolve({ code: null, signal: null, stdout, error });
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, error }));
  });
}
