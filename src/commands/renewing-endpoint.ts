import type { Context } from "../context.js";
import { buildEndpointExportSet } from "../outputs/child-env.js";
import { MAX_RENEW_WINDOW_SECONDS } from "../serve/credential-refresher.js";
import type { ChainResult } from "../types.js";
import { createLogger, type Logger } from "../ui/logger.js";
import { resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

/**
 * The renewing endpoint for `exec --refresh` and `serve`: started with the first run's credentials,
 * renewed by re-running the chain; `exports` are the variables that point an SDK at it.
 */
export async function startEndpoint(ctx: Context, roles: string[], opts: ResolveOptions, log: Logger, first: ChainResult, command: string) {
  const { startChainEndpoint } = await import("../serve/chain-endpoint.js");
  const endpoint = await startChainEndpoint({
    first,
    rerun: () => rerunChain(ctx, roles, opts, log),
    now: ctx.now,
    protectSecret: ctx.protectSecret,
    warn: createLogger(ctx.stderr, "normal", () => ctx.colours.err).warn,
    debug: log.debug,
    command,
  });
  const exports = buildEndpointExportSet({
    url: endpoint.url,
    token: endpoint.token,
    region: first.exportRegion,
    roleArn: first.roleArn,
    hideSharedCredentials: command === "exec --refresh",
  });
  return { exports, close: endpoint.close };
}

/** Cached entries an endpoint starts from or renews with must outlive every client's refresh window. */
export const ENDPOINT_FRESH_SECONDS = MAX_RENEW_WINDOW_SECONDS + 4 * 60;

/**
 * A renewal while a job runs: cached entries only when they outlive the clients' windows (so an
 * intermediate MFA session of 12 h is reused and the final hop renewed), never a prompt on the terminal
 * the job is using (an MFA code cannot be reused either), warnings said once.
 */
export function rerunChain(ctx: Context, roles: string[], opts: ResolveOptions, log: Logger): Promise<ChainResult> {
  const quiet = opts.verbose ? log : createLogger(ctx.stderr, "quiet");
  const noPrompt: Context = { ...ctx, askTerminal: async () => undefined };
  return resolveChain(noPrompt, roles, { ...opts, refresh: undefined, mfaToken: undefined }, quiet, {
    cacheMinFreshSeconds: ENDPOINT_FRESH_SECONDS,
  });
}
