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

const USAGE_HINT = "assume-role exec [options] [ROLE...] -- CMD [ARGS...]";
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/**
 * `exec`: resolve the chain, run CMD with the credentials in its environment (never on its argv),
 * forward signals, and return the child's exit status (128+N when signal N killed it).
 * `words` are commander's operands (ROLEs then CMD ARGS); `tail` is what followed `--`.
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
  if (tail === undefined) throw new UsageError("exec: missing `--` before the command to run", { hint: USAGE_HINT });
  const [file, ...args] = tail;
  if (file === undefined || file === "") throw new UsageError("exec: no command after `--`", { hint: USAGE_HINT });
  const roles = words.slice(0, words.length - tail.length);
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env));
    ctx.stdout.write(`then: ${opts.refresh ? "serve the credentials to" : "run"} ${JSON.stringify(tail)}\n`);
    return 0;
  }
  const log = createLogger(ctx.stderr, verbosityOf(opts));
  // On exec, --refresh selects the renewing endpoint; the first run reads the cache as usual (for the
  // endpoint, only entries that outlive its clients' refresh windows).
  const fresh = opts.refresh ? { cacheMinFreshSeconds: ENDPOINT_FRESH_SECONDS } : {};
  const first = await resolveChain(ctx, roles, { ...opts, refresh: undefined }, log, fresh);
  const region = first.exportRegion;
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
