import { parseRoleArn } from "../plan/role-arn.js";
import { sessionTime, templateTokens, type SessionVars } from "../plan/session-name.js";
import type { ChainDeps } from "./run-chain.js";

/** The values a planned template may use for one hop; the instance ID is asked of IMDS only when the template needs it. */
export async function sessionVars(template: string, arn: string, index: number, region: string, deps: ChainDeps): Promise<SessionVars> {
  const role = parseRoleArn(arn);
  const needsInstance = templateTokens(template).includes("instanceId");
  return {
    instanceId: needsInstance ? await deps.instance.instanceId() : undefined,
    accountId: role?.accountId,
    region,
    // Read only when the template has the token (asking for them costs file reads: commands/chain-deps.ts).
    get user() {
      return deps.user;
    },
    get host() {
      return deps.host;
    },
    role: role?.name,
    hop: String(index + 1),
    time: sessionTime(deps.now()),
  };
}
