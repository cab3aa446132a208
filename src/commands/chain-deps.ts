import { cacheOptions, withCache } from "../cache/with-cache.js";
import { stsAssumeHop } from "../chain/assume-hop.js";
import type { ChainDeps } from "../chain/run-chain.js";
import type { Context } from "../context.js";
import { NoCredentialsError } from "../errors.js";
import { ImdsClient } from "../imds/imds-client.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { createImdsFacts, type ImdsFacts } from "../imds/imds-facts.js";
import { ciSessionName } from "../sources/ci-identity.js";
import { containerSource } from "../sources/container-source.js";
import { imdsSource } from "../sources/imds-source.js";
import { processSource } from "../sources/process-source.js";
import { resolveSource, type SourceProviders } from "../sources/resolve-source.js";
import { ssoSource } from "../sources/sso-source.js";
import { webIdentitySource } from "../sources/web-identity-source.js";
import { stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import type { Logger } from "../ui/logger.js";
import { mfaCodeProvider } from "../ui/mfa-code.js";

export interface DepsOptions {
  readonly mfaToken?: string | undefined;
  readonly cache?: boolean | undefined;
  readonly refresh?: boolean | undefined;
  /** The plan's region (flag, environment or profile), for the unsigned web-identity call. */
  readonly region?: string | undefined;
  /** Cached entries must have at least this long left (the renewing endpoint), on top of the usual margin. */
  readonly cacheMinFreshSeconds?: number | undefined;
}

/** Wire the chain runner to the edges of `ctx`: sources, STS (behind the cache), MFA, logging. */
export function chainDeps(ctx: Context, opts: DepsOptions, log: Logger): ChainDeps {
  const stsEndpoint = stsEndpointFromEnv(ctx.env);
  const imds = lazyImds(ctx, log);
  const providers = sourceProviders(ctx, opts, log, imds, stsEndpoint);
  return {
    source: (plan, wants) => resolveSource(plan, providers, wants),
    assumeHop: withCache(stsAssumeHop(ctx.sts), cacheOptions(ctx, opts, log)),
    sts: ctx.sts,
    stsEndpoint,
    instanceId: async () => {
      const { config, facts } = imds();
      if (config.disabled) {
        throw new NoCredentialsError("{instanceId} in the session name needs IMDS, which AWS_EC2_METADATA_DISABLED=true turns off", {
          hint: "pick another --session-name",
        });
      }
      return facts.instanceId();
    },
    mfaCode: mfaCodeProvider(ctx, opts.mfaToken),
    now: ctx.now,
    user: ctx.username(),
    host: ctx.hostname(),
    ciSessionName: ciSessionName(ctx.env),
    warn: log.warn,
    debug: log.debug,
    onCredentials: (c) => {
      ctx.protectSecret(c.secretAccessKey);
      if (c.sessionToken) ctx.protectSecret(c.sessionToken);
    },
  };
}

type LazyImds = () => { config: ReturnType<typeof imdsConfigFromEnv>; facts: ImdsFacts };

/** One IMDS client per run (one session token, each fact asked once), created only if something asks IMDS. */
function lazyImds(ctx: Context, log: Logger): LazyImds {
  let facts: ImdsFacts | undefined;
  return () => {
    const config = imdsConfigFromEnv(ctx.env);
    facts ??= createImdsFacts(new ImdsClient(config, ctx.imdsRequest, log.debug, ctx.hostSlowdown));
    return { config, facts };
  };
}

function sourceProviders(ctx: Context, opts: DepsOptions, log: Logger, imds: LazyImds, stsEndpoint: string | undefined): SourceProviders {
  const io = { env: ctx.env, fetch: ctx.fetch, protectSecret: ctx.protectSecret, readFile: (p: string) => ctx.fs.readFile(p, "utf8"), debug: log.debug };
  return {
    env: ctx.env,
    imds: (wants) => imdsSource({ ...imds(), now: ctx.now, warn: log.warn }, wants),
    container: () => containerSource(io),
    webIdentity: (plan) =>
      webIdentitySource(plan, { ...io, sts: ctx.sts, stsEndpoint, region: opts.region, user: ctx.username(), host: ctx.hostname(), now: ctx.now }),
    process: (plan) => processSource(ctx, plan, log.debug),
    sso: (plan) => ssoSource(ctx, plan),
    debug: log.debug,
    warn: log.warn,
  };
}
