import type { Context } from "../context.js";
import { readProfileSet } from "../config/read-profile-set.js";
import { parseRoleArn } from "../plan/role-arn.js";
import type { ProfileWords } from "./complete-words.js";

/**
 * Profile names (config and credentials files) and the role names of their `role_arn` keys, read now, so
 * completion sees the files as they are. A file that cannot be read completes nothing (completion never
 * reports errors), sorted for a stable list.
 */
export async function readProfileWords(ctx: Context): Promise<ProfileWords> {
  try {
    const set = await readProfileSet(ctx);
    const roles = [...set.profiles.values()].flatMap((p) => parseRoleArn(p.get("role_arn") ?? "")?.pathAndName ?? []);
    return { profiles: [...set.profiles.keys()].sort(), roles: [...new Set(roles)].sort() };
  } catch {
    return { profiles: [], roles: [] };
  }
}
