import { UsageError } from "../errors.js";
import { chainRefresher, type ChainEndpointOptions } from "./chain-endpoint.js";
import { imdsInstance, type ImdsInstance } from "./imds-answer.js";
import type { MetadataServer } from "./metadata-server.js";

export type ChainImdsOptions = Omit<ChainEndpointOptions, "protectSecret">;

/**
 * Answer on `server` as an EC2 metadata service (IMDSv2) whose instance profile holds the chain's final
 * role, its credentials renewed before expiry by re-running the chain. Returns what the instance says.
 */
export function serveChainImds(server: MetadataServer, opts: ChainImdsOptions): ImdsInstance {
  const roleArn = opts.first.roleArn;
  const instance = roleArn === undefined ? undefined : imdsInstance(roleArn, opts.first.region, opts.now());
  if (instance === undefined) {
    throw new UsageError(`${opts.command}: the chain has no role, and a metadata service serves a role's credentials under its name`, {
      hint: "name a ROLE to assume (or a --profile with role_arn)",
    });
  }
  const refresher = chainRefresher(opts);
  server.serve({ instance, answer: () => refresher.credentials(), now: opts.now });
  opts.debug(`${opts.command}: metadata service at ${server.url} serving ${instance.roleName} as instance ${instance.instanceId}`);
  return instance;
}
