import type { Context } from "../context.js";
import type { ProfilePlan } from "../plan/build-plan.js";
import { notYet } from "../sources/stub.js";

/** Read the shared config and credentials files and resolve profile `name` into a plan. */
export async function loadProfilePlan(ctx: Context, name: string): Promise<ProfilePlan> {
  void ctx;
  return notYet(`--profile ${name}`);
}
