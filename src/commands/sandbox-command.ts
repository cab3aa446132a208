import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { getFormatter } from "../outputs/formatters/registry.js";
import { defaultWorld, parseWorld, startSandbox } from "../sandbox/index.js";

export interface SandboxCommandOptions {
  readonly world?: string | undefined;
  readonly imdsPort?: string | undefined;
  readonly stsPort?: string | undefined;
  readonly format: string;
}

/** Start the emulator, print the variables that point AWS tools at it, serve until interrupted. */
export async function sandboxCommand(ctx: Context, opts: SandboxCommandOptions): Promise<void> {
  const world = opts.world === undefined ? defaultWorld : parseWorld(await readJson(ctx, opts.world), opts.world);
  const sandbox = await startSandbox({
    world,
    imdsPort: port(opts.imdsPort, "--imds-port"),
    stsPort: port(opts.stsPort, "--sts-port"),
  });
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new UsageError(`--format '${opts.format}': unknown format`);
  const set = Object.entries(sandbox.env());
  ctx.stdout.write(formatter({ exports: { set, unset: [] }, credentials: { accessKeyId: "", secretAccessKey: "" } }));
  ctx.stderr.write(
    `assume-role: sandbox IMDS at ${sandbox.imdsEndpoint}, STS at ${sandbox.stsEndpoint}; stop with Ctrl-C\n`,
  );
  await ctx.untilStopped();
  await sandbox.close();
}

async function readJson(ctx: Context, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await ctx.readTextFile(path);
  } catch (err) {
    throw new UsageError(`--world '${path}': cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--world '${path}': not valid JSON (${(err as Error).message})`);
  }
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} '${value}': must be a port number 0-65535`);
  return n;
}
