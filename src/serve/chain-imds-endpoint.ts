import { UsageError } from "../errors.js";
import { chainRefresher, type ChainEndpointOptions } from "./chain-endpoint.js";
import { imdsInstance, type ImdsInstance } from "./imds-answer.js";
import { startMetadataServer } from "./metadata-server.js";

export interface ChainImdsEndpointOptions extends Omit<ChainEndpointOptions, "protectSecret"> {
  readonly host: string;
  readonly port: number;
}

export interface ChainImdsEndpoint {
  /** http://HOST:PORT/, for AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  readonly url: string;
  readonly instance: ImdsInstance;
  close(): Promise<void>;
}

/**
 * An EC2 metadata service (IMDSv2) that serves the chain's final role as the instance profile's role,
 * its credentials renewed before expiry by re-running the chain.
 */
export async function startChainImdsEndpoint(opts: ChainImdsEndpointOptions): Promise<ChainImdsEndpoint> {
  const roleArn = opts.first.roleArn;
  const instance = roleArn === undefined ? undefined : imdsInstance(roleArn, opts.first.region, opts.now());
  if (instance === undefined) {
    throw new UsageError(`${opts.command}: the chain has no role, and a metadata service serves a role's credentials under its name`, {
      hint: "name a ROLE to assume (or a --profile with role_arn)",
    });
  }
  const refresher = chainRefresher(opts);
  const server = await startMetadataServer({ instance, answer: () => refresher.credentials(), now: opts.now, host: opts.host, port: opts.port });
  opts.debug(`${opts.command}: metadata service at ${server.url} serving ${instance.roleName} as instance ${instance.instanceId}`);
  return { url: server.url, instance, close: () => server.close() };
}
