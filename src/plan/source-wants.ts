import type { ChainPlan, SourceWants } from "../types.js";
import { templateTokens } from "./session-name.js";

/**
 * Pure: what running `plan` will ask of the source beyond its credentials, were the source IMDS: the region
 * when the plan takes the instance's, the account when the first role is a bare name, the instance ID when a
 * session name uses it. The source fetches these alongside its credentials instead of one after another.
 */
export function sourceWants(plan: ChainPlan): SourceWants {
  return {
    region: plan.region.kind === "imds",
    account: plan.hops[0]?.role.kind === "name",
    instanceId: plan.hops.some((hop) => templateTokens(hop.sessionTemplate).includes("instanceId")),
  };
}
