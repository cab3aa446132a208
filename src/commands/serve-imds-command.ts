import { BlockList, isIP } from "node:net";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { isLoopback } from "../net/is-loopback.js";
import { buildImdsExportSet } from "../outputs/imds-export-set.js";
import { getFormatter } from "../outputs/formatters/registry.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { ENDPOINT_FRESH_SECONDS, rerunChain } from "./renewing-endpoint.js";
import { planFromOptions, resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

export interface ServeImdsOptions extends ResolveOptions {
  readonly format: string;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
}

export interface ListenAddress {
  readonly host: string;
  /** 0 = random. */
  readonly port: number;
  readonly loopback: boolean;
}

const UNSPECIFIED = new BlockList();
UNSPECIFIED.addAddress("0.0.0.0", "ipv4");
UNSPECIFIED.addAddress("::", "ipv6");

/**
 * Pure: where to listen, from --host (one IP address of this machine; default 127.0.0.1) and --port
 * (0-65535; default random). 0.0.0.0 and :: are refused: every network the machine is on would get the credentials.
 */
export function listenAddress(host: string | undefined, port: string | undefined): ListenAddress {
  const h = host ?? "127.0.0.1";
  const family = isIP(h);
  if (family === 0) {
    throw new UsageError(`--host '${h}': not an IP address`, { hint: "give the address to listen on, e.g. 127.0.0.1 (the default) or the docker bridge's 172.17.0.1" });
  }
  if (UNSPECIFIED.check(h, family === 6 ? "ipv6" : "ipv4")) {
    throw new UsageError(`--host '${h}': listens on every address of this machine, so every network it is on would get the credentials`, {
      hint: "name one address, e.g. the docker bridge's 172.17.0.1 (ip -4 addr show docker0), or leave --host out for 127.0.0.1",
    });
  }
  let p = 0;
  if (port !== undefined) {
    p = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(p >= 0 && p <= 65535)) throw new UsageError(`--port '${port}': must be a port number 0-65535 (0: a random free port)`);
  }
  return { host: h, port: p, loopback: isLoopback(h) };
}

/**
 * `serve --imds`: bind the address, resolve the chain, answer as an EC2 metadata service (IMDSv2) that
 * serves the final role's credentials and renews them before expiry, print AWS_EC2_METADATA_SERVICE_ENDPOINT
 * (and what would win over it, cleared) once on stdout, and serve until SIGINT/SIGTERM/SIGHUP.
 */
export async function serveImdsCommand(ctx: Context, roles: string[], opts: ServeImdsOptions): Promise<void> {
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new Error(`no formatter for ${opts.format}`);
  const listen = listenAddress(opts.host, opts.port);
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  // Said even with -q: who else gets the credentials, and why renewals fail while clients depend on them.
  const loud = createLogger(ctx.stderr, "normal", () => ctx.colours.err);
  if (!listen.loopback) {
    loud.warn(`warning: serve --imds --host ${listen.host} is not loopback: anyone who can reach that address gets the credentials it serves`);
  }
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    const where = `${isIP(listen.host) === 6 ? `[${listen.host}]` : listen.host}:${listen.port === 0 ? "a random port" : listen.port}`;
    ctx.stdout.write(`then: serve the final role's credentials as an EC2 metadata service (IMDSv2) on ${where}, renewed before they expire, and print its variables as ${opts.format}\n`);
    return;
  }
  const { listenMetadataServer } = await import("../serve/metadata-server.js");
  const server = await listenMetadataServer(listen.host, listen.port).catch((err: unknown) => {
    throw listenError(err, listen) ?? err;
  });
  try {
    const first = await resolveChain(ctx, roles, opts, log, { cacheMinFreshSeconds: ENDPOINT_FRESH_SECONDS });
    const { serveChainImds } = await import("../serve/chain-imds-endpoint.js");
    serveChainImds(server, {
      first,
      rerun: () => rerunChain(ctx, roles, opts, log),
      now: ctx.now,
      warn: loud.warn,
      debug: log.debug,
      command: "serve --imds",
    });
    const exports = buildImdsExportSet({ url: server.url, region: first.exportRegion, roleArn: first.roleArn });
    // Listen for the stop signals before printing: whoever reads the output may signal at once.
    const stopped = ctx.untilStopped();
    ctx.stdout.write(formatter({ exports, credentials: { accessKeyId: "", secretAccessKey: "" } }));
    const signal = await stopped;
    log.debug(`serve --imds: ${signal}: stopping`);
  } finally {
    await server.close();
  }
}

/** A listen failure as the user's mistake (exit 2), naming the flag; undefined for anything else. */
function listenError(err: unknown, listen: ListenAddress): UsageError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "EADDRINUSE":
      return new UsageError(`--port ${listen.port}: ${listen.host}:${listen.port} is already in use`, { hint: "pick a free port, or leave --port out for a random one" });
    case "EACCES":
      return new UsageError(`--port ${listen.port}: not allowed to listen on ${listen.host}:${listen.port} (ports below 1024 need privileges)`);
    case "EADDRNOTAVAIL":
      return new UsageError(`--host '${listen.host}': not an address of this machine`);
    default:
      return undefined;
  }
}
