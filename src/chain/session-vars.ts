import { parseRoleArn } from "../plan/role-arn.js";
import { IMDS_DEFAULT_TEMPLATE, OTHER_DEFAULT_TEMPLATE, sessionTime, templateTokens, type SessionVars } from "../plan/session-name.js";
import type { HopPlan, SourceResult } from "../types.js";
import type { HopEnv } from "./run-chain.js";

/**
 * A hop's template: its own; else, in CI, the run's identity (so CloudTrail names the pipeline run);
 * else {instanceId} when the chain started on IMDS; else {user}@{host}.
 */
export function sessionTemplate(hop: HopPlan, source: Pick<SourceResult, "kind">, ciSessionName?: string): string {
  return hop.sessionName ?? ciSessionName ?? (source.kind === "imds" ? IMDS_DEFAULT_TEMPLATE : OTHER_DEFAULT_TEMPLATE);
}

/** The values a template may use for one hop; the instance ID is fetched only when the template needs it. */
export async function sessionVars(template: string, arn: string, index: number, env: HopEnv): Promise<SessionVars> {
  const { deps, source, region } = env;
  const role = parseRoleArn(arn);
  const needsInstance = templateTokens(template).includes("instanceId");
  return {
    instanceId: needsInstance ? (source.instanceId ?? (await (source.lazy?.instanceId ?? deps.instanceId)())) : undefined,
    accountId: role?.accountId,
    region,
    user: deps.user,
    host: deps.host,
    role: role?.name,
    hop: String(index + 1),
    time: sessionTime(deps.now()),
  };
}
