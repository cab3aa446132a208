import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { getFormatter } from "../outputs/formatters/registry.js";
import { defaultWorld, readWorldFile, startSandbox, WorldError } from "../sandbox/index.js";
import { sandboxFaults, type SandboxFaultOptions } from "./sandbox-faults.js";
import { applyInstanceFlags, type SandboxInstanceOptions } from "./sandbox-instance.js";

export interface SandboxCommandOptions extends SandboxFaultOptions, SandboxInstanceOptions {
  readonly world?: string | undefined;
  readonly imdsPort?: string | undefined;
  readonly stsPort?: string | undefined;
  readonly format: string;
}

/** Start the emulator, print the variables that point AWS tools at it, serve until interrupted. */
export async function sandboxCommand(ctx: Context, opts: SandboxCommandOptions): Promise<void> {
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new UsageError(`--format '${opts.format}': unknown format`);
  const { faults, shown } = sandboxFaults(opts);
  const imdsPort = port(opts.imdsPort, "--imds-port");
  const stsPort = port(opts.stsPort, "--sts-port");
  const declared = opts.world === undefined ? defaultWorld : await readWorldFile(opts.world).catch(asUsageError);
  const { world, shown: instanceShown } = applyInstanceFlags(declared, opts);
  shown.push(...instanceShown);
  const sandbox = await startSandbox({ world, imdsPort, stsPort, faults }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EADDRINUSE" && err.code !== "EACCES") throw err;
    throw new UsageError(`--imds-port/--sts-port: cannot listen (${err.code}); pick free ports or leave them out for random ones`);
  });
  // Listen for the stop signal before telling anyone where we are: a quick SIGTERM must stop us cleanly.
  const stopped = ctx.untilStopped();
  const set = Object.entries(sandbox.env());
  ctx.stdout.write(formatter({ exports: { set, unset: [] }, credentials: { accessKeyId: "", secretAccessKey: "" } }));
  ctx.stderr.write(`assume-role: sandbox IMDS at ${sandbox.imdsEndpoint}, STS at ${sandbox.stsEndpoint} (console: --signin-url ${sandbox.federationEndpoint})${shown.length > 0 ? `; faults: ${shown.join(" ")}` : ""}; stop with Ctrl-C\n`);
  await stopped;
  await sandbox.close();
}

function asUsageError(err: unknown): never {
  if (err instanceof WorldError) throw new UsageError(`--world ${err.message}`, { cause: err });
  throw err;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} '${value}': must be a port number 0-65535`);
  return n;
}
