import { templateTokens } from "../plan/session-name.js";
import type { ChainPlan, SourceWants } from "../types.js";
import { sessionTemplate } from "./session-vars.js";

/**
 * Pure: what running `plan` will ask of the source beyond its credentials, were the source IMDS: the region
 * when none is planned, the account when the first role is a bare name, the instance ID when a session name
 * uses it. The source fetches these alongside its credentials instead of one after another.
 */
export function sourceWants(plan: ChainPlan, ciSessionName?: string): SourceWants {
  return {
    region: plan.region === undefined,
    account: plan.hops[0]?.role.kind === "name",
    instanceId: plan.hops.some((hop) => templateTokens(sessionTemplate(hop, { kind: "imds" }, ciSessionName)).includes("instanceId")),
  };
}
