import { cacheOptions, withCache } from "../cache/with-cache.js";
import type { AssumeHop } from "../chain/assume-hop.js";
import { stsAssumeHop } from "../chain/assume-hop.js";
import type { ChainDeps } from "../chain/run-chain.js";
import type { Context } from "../context.js";
import { ImdsClient } from "../imds/imds-client.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { imdsSource } from "../sources/imds-source.js";
import { processSource } from "../sources/process-source.js";
import { ssoSource } from "../sources/sso-source.js";
import { resolveSource, type SourceProviders } from "../sources/resolve-source.js";
import { containerSource } from "../sources/container-source.js";
import { webIdentitySource } from "../sources/web-identity-source.js";
import type { Logger } from "../ui/logger.js";
import { mfaCodeProvider } from "../ui/mfa-code.js";

export interface DepsOptions {
  readonly mfaToken?: string | undefined;
  readonly cache?: boolean | undefined;
  readonly refresh?: boolean | undefined;
}

/** Wire the chain runner to the edges of `ctx`: sources, STS (behind the cache), MFA, logging. */
export function chainDeps(ctx: Context, opts: DepsOptions, log: Logger): ChainDeps {
  let client: ImdsClient | undefined;
  const imds = () => {
    const config = imdsConfigFromEnv(ctx.env);
    client ??= new ImdsClient(config, ctx.fetch, log.debug);
    return { config, client };
  };
  const providers: SourceProviders = {
    env: ctx.env,
    imds: () => imdsSource({ ...imds(), now: ctx.now, warn: log.warn }),
    container: () =>
      containerSource({ env: ctx.env, fetch: ctx.fetch, protectSecret: ctx.protectSecret, readFile: (p) => ctx.fs.readFile(p, "utf8"), debug: log.debug }),
    webIdentity: (plan) =>
      webIdentitySource(plan, {
        env: ctx.env,
        fetch: ctx.fetch,
        protectSecret: ctx.protectSecret,
        readFile: (p) => ctx.fs.readFile(p, "utf8"),
        debug: log.debug,
        sts: ctx.sts,
        stsEndpoint: ctx.env.AWS_ENDPOINT_URL_STS || ctx.env.AWS_ENDPOINT_URL || undefined,
        user: ctx.username(),
        host: ctx.hostname(),
        now: ctx.now,
      }),
    process: (plan) => processSource(ctx, plan, log.debug),
    sso: (plan) => ssoSource(ctx, plan),
    debug: log.debug,
  };
  const assumeHop: AssumeHop = withCache(stsAssumeHop(ctx.sts), cacheOptions(ctx, opts, log));
  return {
    source: (plan) => resolveSource(plan, providers),
    assumeHop,
    sts: ctx.sts,
    stsEndpoint: ctx.env.AWS_ENDPOINT_URL_STS || ctx.env.AWS_ENDPOINT_URL || undefined,
    instanceId: () => imds().client.get("/latest/meta-data/instance-id"),
    mfaCode: mfaCodeProvider(ctx, opts.mfaToken),
    now: ctx.now,
    user: ctx.username(),
    host: ctx.hostname(),
    warn: log.warn,
    debug: log.debug,
    onCredentials: (c) => {
      ctx.protectSecret(c.secretAccessKey);
      if (c.sessionToken) ctx.protectSecret(c.sessionToken);
    },
  };
}
