import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { getFormatter } from "../outputs/formatters/registry.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { ENDPOINT_FRESH_SECONDS, startEndpoint } from "./renewing-endpoint.js";
import { planFromOptions, resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

/** serve's own options: how to print the variables, and the metadata-service mode with where it listens. */
export interface ServeEndpointOptions {
  readonly format: string;
  readonly imds?: boolean | undefined;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
}

/**
 * `serve`: resolve the chain, serve its credentials on a loopback container-credentials endpoint that
 * renews them before expiry, print the variables that point SDKs at it (once, on stdout), and serve
 * until SIGINT/SIGTERM/SIGHUP. For docker (--network host) and long-lived shells. With --imds: the same
 * as an EC2 metadata service (serve-imds-command.ts).
 */
export async function serveCommand(ctx: Context, roles: string[], opts: ResolveOptions & ServeEndpointOptions): Promise<void> {
  if (opts.imds) return (await import("./serve-imds-command.js")).serveImdsCommand(ctx, roles, opts);
  for (const flag of ["port", "host"] as const) {
    if (opts[flag] !== undefined) throw new UsageError(`--${flag} applies only with --imds, which is not given`);
  }
  // Commander admits only the formats that describe an endpoint by variables (shell formats, dotenv).
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new Error(`no formatter for ${opts.format}`);
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    ctx.stdout.write(`then: serve the credentials on a local endpoint, renewed before they expire, and print its variables as ${opts.format}\n`);
    return;
  }
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  const first = await resolveChain(ctx, roles, opts, log, { cacheMinFreshSeconds: ENDPOINT_FRESH_SECONDS });
  const endpoint = await startEndpoint(ctx, roles, opts, log, first, "serve");
  try {
    const { exports } = endpoint;
    // Listen for the stop signals before printing: whoever reads the output may signal at once.
    const stopped = ctx.untilStopped();
    ctx.stdout.write(formatter({ exports, credentials: { accessKeyId: "", secretAccessKey: "" } }));
    log.debug(`serve: serving ${first.roleArn ?? "the source credentials"} until interrupted`);
    const signal = await stopped;
    log.debug(`serve: ${signal}: stopping`);
  } finally {
    await endpoint.close();
  }
}
