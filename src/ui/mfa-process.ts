/**
 * mfa_process / --mfa-process (aws-vault's): run the command in the platform shell, as credential_process runs;
 * its stdout, trimmed, is the 6-digit code. Its stdin and stderr are the user's (a YubiKey's "touch your key" reaches
 * them); its stdout is never printed or quoted, not even in an error: it may hold a code or something worse.
 */
import type { Context } from "../context.js";
import { ConfigError, MfaRequiredError } from "../errors.js";
import { runShellCommand } from "../run-shell-command.js";

const CODE = /^\d{6}$/;
const MAX_STDOUT = 4096;

export async function runMfaProcess(ctx: Context, command: string, serial: string): Promise<string> {
  const origin = `MFA command for ${serial} (${command})`;
  const hint = "run the command yourself: it must print the current 6-digit code on stdout and exit 0";
  const run = await runShellCommand(ctx, command, { env: ctx.env, stderr: "inherit", maxStdout: MAX_STDOUT });
  if (run.error !== undefined) throw new MfaRequiredError(`${origin} could not be started: ${run.error.message}`, { hint, cause: run.error });
  if (run.code !== 0) {
    const status = run.code === null ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
    throw new MfaRequiredError(`${origin} ${status}: no MFA code`, { hint });
  }
  const code = run.stdout.trim();
  if (run.truncated || !CODE.test(code)) {
    const what = run.truncated ? "printed too much" : code === "" ? "printed nothing" : `printed ${code.length} characters that are not 6 digits`;
    throw new ConfigError(`${origin} ${what}: expected the 6-digit code on stdout (not shown here)`, { hint });
  }
  return code;
}
