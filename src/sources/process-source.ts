/**
 * credential_process: run the profile's command and read credential_process v1 JSON from its stdout.
 *
 * The command runs through the platform shell (`/bin/sh -c`, `cmd.exe /d /s /c`), as the JS and Rust
 * SDKs do, not split with shlex and run without a shell as botocore does. Every command botocore
 * accepts runs the same under sh (shlex implements POSIX sh quoting), and commands written for the
 * other SDKs (`~`, `$HOME`, pipes) keep working; the reverse would not hold. It also needs no
 * hand-written shell-word splitter.
 *
 * Never printed: stdout (it carries the secret). A failure quotes the last line of the command's stderr.
 */
import type { Context } from "../context.js";
import { PROFILE_CHAIN_VAR, chainWith } from "../config/profile-chain-guard.js";
import { NoCredentialsError } from "../errors.js";
import type { Credentials, SourcePlan, SourceResult } from "../types.js";
import { parseJsonObject } from "../json-object.js";
import { runShellCommand, type ShellResult } from "../run-shell-command.js";

type ProcessPlan = Extract<SourcePlan, { kind: "process" }>;

const MAX_STDOUT = 1 << 20;

export async function processSource(ctx: Context, plan: ProcessPlan, debug: (line: string) => void = () => {}): Promise<SourceResult> {
  const origin = `credential_process of profile ${plan.profile}`;
  // Never the command's text: it may carry a secret (a token, a TOTP seed) and errors reach CI logs.
  const hint = `run that command yourself to see its output (aws configure get credential_process --profile ${plan.profile} shows it)`;
  const run = await runCommand(ctx, plan.command, plan.profile);
  for (const line of run.stderr.split("\n").filter((l) => l.trim() !== "")) debug(`${origin}: ${line}`);
  if (run.error !== undefined) throw new NoCredentialsError(`${origin} could not be started: ${run.error.message}`, { hint, cause: run.error });
  if (run.code !== 0) {
    const status = run.code === null ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
    const last = lastMessageLine(run.stderr);
    throw new NoCredentialsError(`${origin} ${status}${last === undefined ? " (no message on stderr)" : `: ${last}`}`, { hint });
  }
  if (run.truncated) throw new NoCredentialsError(`${origin} printed more than ${MAX_STDOUT} bytes on stdout: not credential_process JSON`, { hint });
  const parsed = parseProcessOutput(run.stdout, ctx.now(), origin);
  return {
    kind: "process",
    credentials: parsed.credentials,
    accountId: parsed.accountId,
  };
}

export interface ProcessOutput {
  readonly credentials: Credentials;
  readonly accountId?: string | undefined;
}

/** Pure: credential_process v1 JSON → credentials. Errors never quote the output (it holds secrets). */
export function parseProcessOutput(stdout: string, now: Date, origin: string): ProcessOutput {
  const o = parseJsonObject(stdout);
  if (o === undefined) {
    const why = stdout.trim() === "" ? "stdout was empty" : isJson(stdout) ? "JSON that is not an object" : "invalid JSON";
    throw new NoCredentialsError(`${origin} did not print a JSON object on stdout (${why})`);
  }
  if (o.Version !== 1) throw new NoCredentialsError(`${origin} printed Version ${JSON.stringify(o.Version) ?? "(missing)"}: only Version 1 is supported`);
  const text = (key: string, required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) throw new NoCredentialsError(`${origin} printed no ${key}`);
      return undefined;
    }
    if (typeof v !== "string" || v === "") throw new NoCredentialsError(`${origin} printed a ${key} that is not a non-empty string`);
    return v;
  };
  const accessKeyId = text("AccessKeyId", true)!;
  const secretAccessKey = text("SecretAccessKey", true)!;
  const sessionToken = text("SessionToken", false);
  const expirationText = text("Expiration", false);
  let expiration: Date | undefined;
  if (expirationText !== undefined) {
    expiration = new Date(expirationText);
    if (Number.isNaN(expiration.getTime())) throw new NoCredentialsError(`${origin} printed Expiration '${expirationText}': not an RFC 3339 time`);
    if (expiration.getTime() <= now.getTime()) throw new NoCredentialsError(`${origin} returned expired credentials (Expiration ${expirationText})`);
  }
  return { credentials: { accessKeyId, secretAccessKey, sessionToken, expiration }, accountId: text("AccountId", false) };
}

/** The last line that is not indented (our own CLI and most tools put hints and tracebacks indented). */
function lastMessageLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== "");
  return (lines.filter((l) => !/^\s/.test(l)).at(-1) ?? lines.at(-1))?.trim();
}

/** Run `command` in the platform shell; the child learns which profiles are being resolved (loop guard). */
function runCommand(ctx: Context, command: string, profile: string): Promise<ShellResult> {
  const env = { ...ctx.env, [PROFILE_CHAIN_VAR]: chainWith(ctx.env, profile) };
  return runShellCommand(ctx, command, { env, stderr: "pipe", maxStdout: MAX_STDOUT });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
