import { peekCache } from "../cache/peek-cache.js";
import { cacheOptions, withCache } from "../cache/with-cache.js";
import type { ChainDeps, InstanceFacts } from "../chain/run-chain.js";
import { maxAttemptsFromEnv } from "../config/max-attempts.js";
import type { Context } from "../context.js";
import { NoCredentialsError } from "../errors.js";
import { ImdsClient } from "../imds/imds-client.js";
import { hopKeys, sessionKey } from "../plan/hop-keys.js";
import { sourceIdentity } from "../plan/source-identity.js";
import type { ChainPlan } from "../types.js";
import { readRegularFile } from "../fs/read-regular-file.js";
import { sdkPreloader, type SdkPreloader } from "./sdk-preloader.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { createImdsFacts, type ImdsFacts } from "../imds/imds-facts.js";
import { containerSource } from "../sources/container-source.js";
import { imdsSource } from "../sources/imds-source.js";
import { processSource } from "../sources/process-source.js";
import { resolveSource, type SourceProviders } from "../sources/resolve-source.js";
import { ssoSource } from "../sources/sso-source.js";
import { webIdentitySource } from "../sources/web-identity-source.js";
import type { StsFactory } from "../sts/sts-api.js";
import { stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import type { Logger } from "../ui/logger.js";
import { mfaCodeProvider } from "../ui/mfa-code.js";

export interface DepsOptions {
  readonly mfaToken?: string | undefined;
  readonly cache?: boolean | undefined;
  readonly refresh?: boolean | undefined;
  /** Cached entries must have at least this long left (the renewing endpoint), on top of the usual margin. */
  readonly cacheMinFreshSeconds?: number | undefined;
  /** whoami --chain: show the hops before a cached one as the cache holds them (ChainDeps.peekHop). */
  readonly peekEarlier?: boolean | undefined;
}

/**
 * ctx.sts with the retry budget of AWS_MAX_ATTEMPTS. Called before any network call, so that a value
 * the SDKs would refuse is exit 8 at once (ConfigError).
 */
export function stsFactory(ctx: Context): StsFactory {
  const maxAttempts = maxAttemptsFromEnv(ctx.env);
  return maxAttempts === undefined ? ctx.sts : (config) => ctx.sts({ ...config, maxAttempts });
}

/**
 * Wire the chain runner to the edges of `ctx`: sources, STS (behind the cache, keyed by the plan and local facts
 * read here without a network request), IMDS facts on demand, MFA, logging.
 */
export async function chainDeps(ctx: Context, plan: ChainPlan, opts: DepsOptions, log: Logger): Promise<ChainDeps> {
  const sts = stsFactory(ctx);
  const stsEndpoint = stsEndpointFromEnv(ctx.env);
  const preload = sdkPreloader(plan.effectiveSource === "imds");
  const imds = lazyImds(ctx, log, preload);
  const region = plan.region.kind === "imds" ? plan.region.fallback : plan.region.region;
  const providers = sourceProviders(ctx, sts, { ...opts, region }, log, imds, stsEndpoint);
  const cache = cacheOptions(ctx, opts, log);
  const machine = cache.mode === "off" || plan.effectiveSource !== "imds" ? "" : `${imdsConfigFromEnv(ctx.env).endpoint}:${await machineIdentity(ctx)}`;
  return Object.assign<LocalNames, Omit<ChainDeps, keyof LocalNames>>(lazyNames(ctx), {
    source: (p, wants) => {
      // The chain goes to the network: load the SDK while the source answers, not after.
      preload.start();
      return resolveSource(p, providers, wants);
    },
    answerHop: withCache(cache),
    peekHop: opts.peekEarlier ? peekCache(cache) : undefined,
    hopKeys: hopKeys(plan, sourceIdentity(plan, ctx.env, machine), stsEndpoint, Object.assign(lazyNames(ctx), { now: ctx.now() })),
    sessionKey: sessionKey(plan, sourceIdentity(plan, ctx.env, machine), stsEndpoint),
    sts: afterPreload(sts, preload),
    stsEndpoint,
    instance: instanceFacts(imds),
    mfaCode: mfaCodeProvider(ctx, opts.mfaToken),
    now: ctx.now,
    debug: log.debug,
    onCredentials: (c) => {
      ctx.protectSecret(c.secretAccessKey);
      if (c.sessionToken) ctx.protectSecret(c.sessionToken);
    },
  });
}

/**
 * A request sent before its signer's credentials are in (chain/run-hop.ts) would load the SDK and make its client at
 * once, ahead of the source's own requests and answers: it waits for the preloader's word instead, or for the
 * credentials if they come first (a hop before it answered from the cache, and the source never ran).
 */
function afterPreload(sts: StsFactory, preload: SdkPreloader): StsFactory {
  return (config) => {
    const api = sts(config);
    const pending = config.credentials;
    if (!(pending instanceof Promise)) return api;
    const ready = Promise.race([preload.clientsMayStart(), pending]);
    ready.catch(() => undefined); // the credentials' failure is the caller's to report (chain/run-hop.ts)
    // Only an AssumeRole is sent before its signer's credentials are in.
    return { ...api, assumeRole: (input) => ready.then(() => api.assumeRole(input)) };
  };
}

type LocalNames = { readonly user: string; readonly host: string };

/**
 * The user and host names for session names, as getters: the user name costs a read of /etc/passwd and the host name
 * the os module, and only a template with {user} or {host} reads them (the renderers pass them on as getters:
 * plan/session-name.ts localNames). Object.assign onto this object keeps them getters, where spreading would read them.
 */
function lazyNames(ctx: Context): LocalNames {
  return {
    get user() {
      return ctx.username();
    },
    get host() {
      return ctx.hostname();
    },
  };
}

/**
 * Which machine and boot this is, without a request: Linux's boot ID (new at every boot) and machine ID. Cached IMDS
 * sessions are keyed by it, so an entry made on one machine or boot (an AMI baked with a warm cache, a home directory
 * shared between hosts) is never served on another.
 */
async function machineIdentity(ctx: Context): Promise<string> {
  const read = (path: string) => ctx.fs.readFile(path, "utf8").then((t) => t.trim(), () => "");
  const [boot, machine] = await Promise.all([read("/proc/sys/kernel/random/boot_id"), read("/etc/machine-id")]);
  return `${ctx.hostname()}:${machine}:${boot}`;
}

/** The instance ID and region, asked of IMDS once each (the facts remember), only when the plan needs them. */
function instanceFacts(imds: LazyImds): InstanceFacts {
  return {
    instanceId: async () => {
      const { config, facts } = imds();
      if (config.disabled) {
        throw new NoCredentialsError("{instanceId} in the session name needs IMDS, which AWS_EC2_METADATA_DISABLED=true turns off", {
          hint: "pick another --session-name",
        });
      }
      return facts.instanceId();
    },
    region: async () => {
      const { config, facts } = imds();
      return config.disabled ? undefined : facts.region();
    },
  };
}

/** A token file (web identity, container): a regular file only, so a FIFO is refused instead of hanging the run. */
async function readTokenFile(ctx: Context, path: string): Promise<string> {
  const bytes = await readRegularFile(ctx, path, "point the variable at the token file itself");
  if (bytes === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return bytes.toString("utf8");
}

type LazyImds = () => { config: ReturnType<typeof imdsConfigFromEnv>; facts: ImdsFacts };

/**
 * One IMDS client per run (one session token, each fact asked once), created only if something asks IMDS; the SDK
 * preloader hears of every request and answer (it loads the SDK and makes the STS clients in the waits).
 */
function lazyImds(ctx: Context, log: Logger, preload: SdkPreloader): LazyImds {
  let imds: ReturnType<LazyImds> | undefined;
  return () => {
    if (imds === undefined) {
      const config = imdsConfigFromEnv(ctx.env);
      const request: Context["imdsRequest"] = (req) => {
        preload.requested();
        return ctx.imdsRequest(req).finally(preload.answered);
      };
      imds = { config, facts: createImdsFacts(new ImdsClient(config, request, log.debug, ctx.hostSlowdown)) };
    }
    return imds;
  };
}

function sourceProviders(
  ctx: Context,
  sts: StsFactory,
  opts: DepsOptions & { region: string },
  log: Logger,
  imds: LazyImds,
  stsEndpoint: string | undefined,
): SourceProviders {
  const io = { env: ctx.env, fetch: ctx.fetch, protectSecret: ctx.protectSecret, readFile: (p: string) => readTokenFile(ctx, p), debug: log.debug };
  return {
    env: ctx.env,
    imds: (wants) => imdsSource({ ...imds(), now: ctx.now }, wants),
    container: () => containerSource({ ...io, hostSlowdown: ctx.hostSlowdown }),
    webIdentity: (plan) =>
      webIdentitySource(plan, Object.assign(lazyNames(ctx), { ...io, sts, stsEndpoint, region: opts.region, now: ctx.now })),
    process: (plan) => processSource(ctx, plan, log.debug),
    sso: (plan) => ssoSource(ctx, plan),
    debug: log.debug,
    warn: log.warn,
  };
}
