import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { buildChildEnv } from "../outputs/child-env.js";
import { buildExportSet } from "../outputs/export-set.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { ENDPOINT_FRESH_SECONDS, startEndpoint } from "./renewing-endpoint.js";
import { planFromOptions, resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";
import { isoMillis } from "../iso-seconds.js";

const USAGE_HINT = "assume-role exec [options] [ROLE...] [-- CMD [ARGS...]]";
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/**
 * `exec`: resolve the chain, run CMD with the credentials in its environment (never on its argv),
 * forward signals, and return the child's exit status (128+N when signal N killed it).
 * `words` are commander's operands (ROLEs then CMD ARGS); `tail` is what followed `--`.
 * With no CMD it runs the user's $SHELL (interactive when stdin is a terminal, as shells decide).
 * With --refresh the child gets a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews them.
 */
export async function execCommand(
  ctx: Context,
  words: string[],
  tail: string[] | undefined,
  opts: ResolveOptions & { readonly format?: string | undefined },
): Promise<number> {
  if (opts.format !== undefined) {
    throw new UsageError(`exec: --format '${opts.format}' does not apply: exec prints no credentials, it puts them in CMD's environment`, {
      hint: "for printed credentials use the default command: assume-role -f FORMAT [ROLE...]",
    });
  }
  const roles = tail === undefined ? words : words.slice(0, words.length - tail.length);
  if (tail === undefined) await refuseCommandsAsRoles(ctx, roles);
  const [file, ...args] = tail !== undefined && tail.length > 0 ? tail : [userShell(ctx.env)];
  if (file === undefined || file === "") throw new UsageError("exec: the command after `--` is empty", { hint: USAGE_HINT });
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    ctx.stdout.write(`then: ${opts.refresh ? "serve the credentials to" : "run"} ${JSON.stringify([file, ...args])}\n`);
    return 0;
  }
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  // On exec, --refresh selects the renewing endpoint; the first run reads the cache as usual (for the
  // endpoint, only entries that outlive its clients' refresh windows).
  const fresh = opts.refresh ? { cacheMinFreshSeconds: ENDPOINT_FRESH_SECONDS } : {};
  const first = await resolveChain(ctx, roles, { ...opts, refresh: undefined }, log, fresh);
  const region = first.exportRegion;
  if (tail === undefined || tail.length === 0) {
    const expires = first.credentials.expiration ? `, until ${isoMillis(first.credentials.expiration)}` : "";
    log.warn(`starting ${file} as ${first.roleArn ?? "the source's identity"}${expires}; exit it to return`);
  }
  if (!opts.refresh) {
    const exports = buildExportSet({ credentials: first.credentials, region, roleArn: first.roleArn, chain: first.path });
    return runChild(ctx, file, args, buildChildEnv(ctx.env, exports));
  }
  const endpoint = await startEndpoint(ctx, roles, opts, log, first, "exec --refresh");
  try {
    return await runChild(ctx, file, args, buildChildEnv(ctx.env, endpoint.exports));
  } finally {
    await endpoint.close();
  }
}

/** The shell `exec` opens without a CMD: $SHELL when it is an absolute path, else /bin/sh. */
function userShell(env: Context["env"]): string {
  const shell = env.SHELL;
  return shell !== undefined && shell.startsWith("/") ? shell : "/bin/sh";
}

/**
 * Without `--` every word is a ROLE. A bare word that names a command on PATH (`exec Deploy aws s3 ls`)
 * was almost surely meant as CMD: refuse it (exit 2, before any request) rather than assume a role "aws".
 */
async function refuseCommandsAsRoles(ctx: Context, roles: readonly string[]): Promise<void> {
  const dirs = (ctx.env.PATH ?? "").split(":").filter((d) => d.startsWith("/"));
  for (const word of roles) {
    if (word.startsWith("arn:") || !/^[\w+=,.@-]+$/.test(word)) continue;
    for (const dir of dirs) {
      if (!(await isExecutableFile(ctx, `${dir}/${word}`))) continue;
      const at = roles.indexOf(word);
      const fixed = [...roles.slice(0, at), "--", ...roles.slice(at)].join(" ");
      throw new UsageError(`exec: '${word}' would be taken as a ROLE, but it is a command (${dir}/${word}); put \`--\` before the command to run`, {
        hint: `assume-role exec ${fixed}   (for a role of that name, give its ARN)`,
      });
    }
  }
}

async function isExecutableFile(ctx: Context, path: string): Promise<boolean> {
  try {
    if (!(await ctx.fs.stat(path)).isFile()) return false;
    await ctx.fs.access(path, ctx.fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawn CMD with inherited stdio and wait for it. SIGTERM and SIGHUP are always forwarded. SIGINT and
 * SIGQUIT typed at a terminal already reach the child (same process group): when stderr is a terminal
 * the first of each is not sent again (a second Ctrl-C would make Terraform abort at once), later ones are.
 */
export function runChild(ctx: Context, file: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess | undefined;
    const seen = new Map<NodeJS.Signals, number>();
    // Installed first: from the moment CMD exists, a signal for assume-role must not end it instead.
    const uninstall = ctx.onSignals((signal) => {
      const count = (seen.get(signal) ?? 0) + 1;
      seen.set(signal, count);
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      if (shouldForward(signal, count, ctx.stderrIsTTY)) child.kill(signal);
    });
    try {
      child = ctx.spawn(file, args, { stdio: "inherit", env });
    } catch (err) {
      uninstall();
      reject(spawnFailure(file, err));
      return;
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      uninstall();
      fn();
    };
    // Before the child exists an error means it could not be started; after, only a failed kill (ignored).
    const started = child;
    started.on("error", (err) => {
      if (started.pid === undefined) settle(() => reject(spawnFailure(file, err)));
    });
    child.once("exit", (code, signal) => settle(() => resolve(exitStatus(code, signal))));
  });
}

/** Pure: forward this delivery of `signal` to the child? (see runChild) */
export function shouldForward(signal: NodeJS.Signals, count: number, interactive: boolean): boolean {
  if (signal !== "SIGINT" && signal !== "SIGQUIT") return true;
  return !interactive || count > 1;
}

/** The shell's convention: the exit code, or 128 + the number of the signal that killed the child. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

/** The shell's 127 (not found) and 126 (found, not executable) with one line naming CMD. */
function spawnFailure(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    const what = file.includes("/") ? "no such file or directory" : "command not found";
    return new CliError(`exec: ${file}: ${what}`, { exitCode: EXIT_NOT_FOUND, cause: err });
  }
  if (code === "EACCES" || code === "EPERM" || code === "ENOEXEC" || code === "EISDIR") {
    return new CliError(`exec: ${file}: not executable (${code})`, { exitCode: EXIT_NOT_EXECUTABLE, cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
