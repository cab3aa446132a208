import type { AssumeRoleOutput, StsApi, StsConfig } from "./sts-api.js";

type Sdk = typeof import("@aws-sdk/client-sts");

/** The one place that builds an STSClient. The SDK is imported on first use, never at start-up. */
export function createSts(config: StsConfig): StsApi {
  let loaded: Promise<{ sdk: Sdk; client: InstanceType<Sdk["STSClient"]> }> | undefined;
  const load = () =>
    (loaded ??= import("@aws-sdk/client-sts").then((sdk) => ({ sdk, client: new sdk.STSClient(clientConfig(config)) })));
  return {
    async assumeRole(input) {
      const { sdk, client } = await load();
      const out = await client.send(
        // The input is the SDK's own shape (the plan built it); readonly lists are copied for its mutable types.
        new sdk.AssumeRoleCommand({
          ...input,
          Tags: input.Tags?.map((t) => ({ ...t })),
          TransitiveTagKeys: input.TransitiveTagKeys ? [...input.TransitiveTagKeys] : undefined,
          PolicyArns: input.PolicyArns?.map((p) => ({ ...p })),
        }),
      );
      config.debug?.(`sts: AssumeRole ${input.RoleArn} (attempts ${out.$metadata.attempts ?? 1})`);
      return toOutput(out, "AssumeRole");
    },
    async assumeRoleWithWebIdentity(input) {
      const { sdk, client } = await load();
      const out = await client.send(
        new sdk.AssumeRoleWithWebIdentityCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.roleSessionName,
          WebIdentityToken: input.webIdentityToken,
          DurationSeconds: input.durationSeconds,
        }),
      );
      config.debug?.(`sts: AssumeRoleWithWebIdentity ${input.roleArn} (attempts ${out.$metadata.attempts ?? 1})`);
      return toOutput(out, "AssumeRoleWithWebIdentity");
    },
    async getCallerIdentity() {
      const { sdk, client } = await load();
      const out = await client.send(new sdk.GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn || !out.UserId) throw new Error("STS GetCallerIdentity answered without an identity");
      return { account: out.Account, arn: out.Arn, userId: out.UserId };
    },
  };
}

function clientConfig(config: StsConfig) {
  const c = config.credentials;
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // Unsigned calls (web identity) still need a credentials value: an empty provider is never used by them.
    credentials: c
      ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) }
      : { accessKeyId: "", secretAccessKey: "" },
    maxAttempts: config.maxAttempts ?? 3,
    useFipsEndpoint: config.useFipsEndpoint ?? false,
    useDualstackEndpoint: config.useDualstackEndpoint ?? false,
    // The SDK's default is no timeout at all: a cron job must not hang on a silent endpoint.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    // The endpoint comes from ctx (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL); a profile's endpoint_url must not redirect it.
    ignoreConfiguredEndpointUrls: true,
    logger: silentLogger,
  };
}

interface SdkAssumeOutput {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined;
  AssumedRoleUser?: { Arn?: string } | undefined;
}

function toOutput(out: SdkAssumeOutput, operation: string): AssumeRoleOutput {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !out.AssumedRoleUser?.Arn) {
    throw new Error(`STS ${operation} answered without credentials`);
  }
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
    assumedRoleArn: out.AssumedRoleUser.Arn,
  };
}

const noop = (): void => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
