import { runChain } from "../chain/run-chain.js";
import type { Context } from "../context.js";
import { ImdsClient } from "../imds/imds-client.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { buildExportSet } from "../outputs/export-set.js";
import { getFormatter } from "../outputs/formatters/registry.js";
import { buildPlan } from "../plan/build-plan.js";
import { imdsSource } from "../sources/imds-source.js";
import { resolveSource } from "../sources/resolve-source.js";
import type { ChainResult } from "../types.js";
import { createLogger, verbosityOf, type Logger } from "../ui/logger.js";
import type { ResolveOptions } from "./resolve-options.js";

/** The default command: resolve the chain, print the final credentials once, at the end. */
export async function assumeCommand(ctx: Context, roles: string[], opts: ResolveOptions): Promise<void> {
  const log = createLogger(ctx.stderr, verbosityOf(opts));
  const result = await resolveChain(ctx, roles, opts, log);
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new Error(`no formatter for ${opts.format}`);
  const region = exportedRegion(result);
  const text = formatter({
    exports: buildExportSet({ credentials: result.credentials, region, roleArn: result.roleArn }),
    credentials: result.credentials,
    region,
    roleArn: result.roleArn,
    assumedRoleArn: result.hops.at(-1)?.assumedRoleArn,
  });
  ctx.stdout.write(text);
}

/** Plan from flags, then run it against the injected edges. Shared by every command that needs credentials. */
export async function resolveChain(ctx: Context, roles: string[], opts: ResolveOptions, log: Logger): Promise<ChainResult> {
  const plan = buildPlan({ ...opts, roles, env: ctx.env });
  let client: ImdsClient | undefined;
  const imds = () => {
    const config = imdsConfigFromEnv(ctx.env);
    client ??= new ImdsClient(config, ctx.fetch, log.debug);
    return { config, client };
  };
  return runChain(plan, {
    source: () =>
      resolveSource(plan.source, {
        env: ctx.env,
        imds: () => imdsSource({ ...imds(), now: ctx.now, warn: log.warn }),
        debug: log.debug,
      }),
    sts: ctx.sts,
    stsEndpoint: ctx.env.AWS_ENDPOINT_URL_STS || ctx.env.AWS_ENDPOINT_URL || undefined,
    instanceId: () => imds().client.get("/latest/meta-data/instance-id"),
    now: ctx.now,
    user: ctx.username(),
    host: ctx.hostname(),
    warn: log.warn,
    debug: log.debug,
    onCredentials: (c) => {
      ctx.protectSecret(c.secretAccessKey);
      if (c.sessionToken) ctx.protectSecret(c.sessionToken);
    },
  });
}

/** Region is exported only when it was known (flag, environment or IMDS), not when STS fell back to a default. */
function exportedRegion(result: ChainResult): string | undefined {
  return result.plannedRegion ?? result.source.region;
}
