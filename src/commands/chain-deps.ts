import type { AssumeHop } from "../chain/assume-hop.js";
import { stsAssumeHop } from "../chain/assume-hop.js";
import type { ChainDeps } from "../chain/run-chain.js";
import type { Context } from "../context.js";
import { ImdsClient } from "../imds/imds-client.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { imdsSource } from "../sources/imds-source.js";
import { resolveSource, type SourceProviders } from "../sources/resolve-source.js";
import { SourceSkipped } from "../sources/source-skipped.js";
import { notYet } from "../sources/stub.js";
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
    container: async () => {
      if (!ctx.env.AWS_CONTAINER_CREDENTIALS_FULL_URI && !ctx.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
        throw new SourceSkipped("AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI are not set");
      }
      return notYet("the container credential source");
    },
    webIdentity: async (plan) => {
      if (!plan && !ctx.env.AWS_WEB_IDENTITY_TOKEN_FILE) throw new SourceSkipped("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
      return notYet("the web-identity source");
    },
    process: async () => notYet("credential_process"),
    sso: async () => notYet("SSO profiles"),
    debug: log.debug,
  };
  const assumeHop: AssumeHop = stsAssumeHop(ctx.sts);
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
