import type { Context } from "../context.js";
import type { ProfilePlan } from "../plan/build-plan.js";
import { checkProfileChain } from "./profile-chain-guard.js";
import { readProfileSet } from "./read-profile-set.js";
import { resolveProfile } from "./resolve-profile.js";

export interface LoadProfileOptions {
  /** `--source profile`: the credentials must come from the profile itself (a profile with settings only is an error). */
  readonly credentialsRequired?: boolean | undefined;
}

/**
 * Read the shared config and credentials files and resolve profile `name` into a plan. A profile that
 * holds only settings (region, ...) applies them, and the credentials come from the default chain
 * (source `auto`), as in the AWS SDKs and CLI; unless `credentialsRequired`.
 */
export async function loadProfilePlan(ctx: Context, name: string, options: LoadProfileOptions = {}): Promise<ProfilePlan> {
  const set = await readProfileSet(ctx);
  const { plan, visited } = resolveProfile(set, name, { settingsOnly: options.credentialsRequired ? "required" : "default-chain" });
  checkProfileChain(ctx.env, visited);
  return plan;
}
