import type { ImdsConfig } from "../imds/imds-config.js";
import type { ImdsFacts } from "../imds/imds-facts.js";
import type { SourceResult, SourceWants } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";

export interface ImdsSourceDeps {
  readonly config: ImdsConfig;
  readonly facts: ImdsFacts;
  readonly now: () => Date;
  readonly warn: (line: string) => void;
}

/**
 * The instance profile's role credentials: only what every IMDS serves (token, role listing, credentials).
 * Instance ID, region and account are handed on as lazy facts; what `wants` names is fetched alongside.
 */
export async function imdsSource(deps: ImdsSourceDeps, wants: SourceWants = {}): Promise<SourceResult> {
  if (deps.config.disabled) throw new SourceSkipped("IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
  const { facts } = deps;
  facts.prefetch(wants);
  const roleName = await facts.roleName();
  const credentials = await facts.credentials();
  if (credentials.expiration && credentials.expiration <= deps.now()) {
    deps.warn(
      `warning: IMDS served credentials for ${roleName} that expired at ${credentials.expiration.toISOString()}; STS will likely refuse them`,
    );
  }
  return {
    kind: "imds",
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    },
    // Local facts only (no instance ID request): another machine's instance credentials have another key ID.
    identityKey: `imds:${facts.endpoint}:${roleName}:${credentials.accessKeyId}`,
    lazy: { instanceId: facts.instanceId, region: facts.region, account: facts.account },
    isRoleSession: true,
  };
}
