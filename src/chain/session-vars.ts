import { parseRoleArn } from "../plan/role-arn.js";
import { localNames, sessionTime, templateTokens, type SessionVars } from "../plan/session-name.js";
import type { ChainDeps } from "./run-chain.js";

/** The values a planned template may use for one hop; the instance ID is asked of IMDS only when the template needs it. */
export async function sessionVars(template: string, arn: string, index: number, region: string, deps: ChainDeps): Promise<SessionVars> {
  const role = parseRoleArn(arn);
  const needsInstance = templateTokens(template).includes("instanceId");
  return Object.assign(localNames(deps), {
    instanceId: needsInstance ? await deps.instance.instanceId() : undefined,
    accountId: role?.accountId,
    region,
    role: role?.name,
    hop: String(index + 1),
    time: sessionTime(deps.now()),
  });
}
