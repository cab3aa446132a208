/**
 * mfa_process / --mfa-process (aws-vault's): run the command in the platform shell, as credential_process runs;
 * its stdout, trimmed, is the 6-digit code. Its stdin and stderr are the user's (a YubiKey's "touch your key" reaches
 * them). Neither its stdout nor its text is ever printed, not even in an error: the output may hold a code, and the
 * command may hold a TOTP seed (`oathtool --totp -b SEED`); messages name where it was set instead.
 * Any failure is a configuration fault (exit 8): the configured command does not do what it must.
 */
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { runShellCommand } from "../run-shell-command.js";
import type { MfaCommand } from "../types.js";

const CODE = /^\d{6}$/;
const MAX_STDOUT = 4096;

export async function runMfaProcess(ctx: Context, process: MfaCommand, serial: string): Promise<string> {
  const origin = `the command of ${process.origin} (MFA code for ${serial})`;
  const hint = "run the command yourself: it must print the current 6-digit code on stdout and exit 0";
  const run = await runShellCommand(ctx, process.command, { env: ctx.env, stderr: "inherit", maxStdout: MAX_STDOUT });
  // Not run.error.message, nor the error as cause: Node's spawn errors carry the command line (spawnargs).
  if (run.error !== undefined) throw new ConfigError(`${origin} could not be started (${errorCode(run.error)})`, { hint });
  if (run.code !== 0) {
    const status = run.code === null ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
    throw new ConfigError(`${origin} ${status}: no MFA code`, { hint });
  }
  const code = run.stdout.trim();
  if (run.truncated || !CODE.test(code)) {
    const what = run.truncated ? "printed too much" : code === "" ? "printed nothing" : `printed ${code.length} characters that are not 6 digits`;
    throw new ConfigError(`${origin} ${what}: expected the 6-digit code on stdout (not shown here)`, { hint });
  }
  return code;
}

function errorCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : "spawn failed";
}
