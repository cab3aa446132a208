import type { AssumeRoleInput, AssumeRoleOutput, CallerIdentity, StsApi, StsConfig } from "./sts-api.js";

/** The one place that builds an STSClient. The SDK is imported on first use, never at start-up. */
export function createSts(config: StsConfig): StsApi {
  const clientPromise = import("@aws-sdk/client-sts").then((sdk) => ({
    sdk,
    client: new sdk.STSClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      credentials: {
        accessKeyId: config.credentials.accessKeyId,
        secretAccessKey: config.credentials.secretAccessKey,
        ...(config.credentials.sessionToken ? { sessionToken: config.credentials.sessionToken } : {}),
      },
      maxAttempts: 3,
      logger: silentLogger,
    }),
  }));
  return {
    async assumeRole(input: AssumeRoleInput): Promise<AssumeRoleOutput> {
      const { sdk, client } = await clientPromise;
      const out = await client.send(
        new sdk.AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.roleSessionName,
          ...(input.durationSeconds !== undefined ? { DurationSeconds: input.durationSeconds } : {}),
          ...(input.externalId !== undefined ? { ExternalId: input.externalId } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !out.AssumedRoleUser?.Arn) {
        throw new Error("STS AssumeRole answered without credentials");
      }
      config.debug?.(`sts: AssumeRole ${input.roleArn} -> ${out.AssumedRoleUser.Arn} (attempts ${out.$metadata.attempts ?? 1})`);
      return {
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        },
        assumedRoleArn: out.AssumedRoleUser.Arn,
      };
    },
    async getCallerIdentity(): Promise<CallerIdentity> {
      const { sdk, client } = await clientPromise;
      const out = await client.send(new sdk.GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn || !out.UserId) throw new Error("STS GetCallerIdentity answered without an identity");
      return { account: out.Account, arn: out.Arn, userId: out.UserId };
    },
  };
}

const noop = (): void => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
