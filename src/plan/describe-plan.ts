import type { ChainPlan } from "../types.js";

/** Pure: the human-readable plan that --dry-run prints (no network). */
export function describePlan(plan: ChainPlan, env: Readonly<Record<string, string | undefined>>): string {
  void env;
  return `${JSON.stringify(plan, null, 2)}\n`;
}
