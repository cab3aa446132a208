import type { Context } from "../context.js";
import type { ProfilePlan } from "../plan/build-plan.js";
import { checkProfileChain } from "./profile-chain-guard.js";
import { readProfileSet } from "./read-profile-set.js";
import { resolveProfile } from "./resolve-profile.js";

/** Read the shared config and credentials files and resolve profile `name` into a plan. */
export async function loadProfilePlan(ctx: Context, name: string): Promise<ProfilePlan> {
  const set = await readProfileSet(ctx);
  const { plan, visited } = resolveProfile(set, name);
  checkProfileChain(ctx.env, visited);
  return plan;
}
