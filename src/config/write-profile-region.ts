import type { Context } from "../context.js";
import { atomicWrite, lstatOrUndefined } from "../fs/atomic-write.js";
import { errnoOf } from "../fs/unsafe-path-error.js";
import type { Logger } from "../ui/logger.js";
import { addProfileRegion } from "./config-region-edit.js";
import { sharedFilePaths } from "./file-locations.js";
import { readNoFollow, withProfileFileLock } from "./write-profile.js";

/** What happened to the config file. */
export type ProfileRegionOutcome =
  | { readonly kind: "added"; readonly path: string }
  | { readonly kind: "kept"; readonly path: string; readonly region: string }
  | { readonly kind: "skipped"; readonly path: string; readonly reason: string };

/**
 * After `--write-profile NAME` wrote the credentials: when `[profile NAME]` of the shared config file names
 * no region, add `region` (same rules as the credentials file: under its lock, atomically, no links, every
 * other byte kept; the file keeps its mode, a new one is 0600). The credentials are already written, so a
 * config file that cannot be changed is reported on stderr, never a failure. Also warns when the section
 * holds settings (role_arn, ...) that the SDKs would use instead of the written keys.
 */
export async function writeProfileRegion(ctx: Context, name: string, region: string, log: Logger): Promise<ProfileRegionOutcome> {
  const path = sharedFilePaths(ctx.env, ctx.platform).config;
  try {
    return await withProfileFileLock(ctx, path, async (): Promise<ProfileRegionOutcome> => {
      const before = await lstatOrUndefined(ctx, path);
      const edit = addProfileRegion(before ? await readNoFollow(ctx, path) : "", name, region);
      if (edit.sourceKeys.length > 0) {
        log.warn(`profile [${name}] in ${path} has ${edit.sourceKeys.join(", ")}, which the SDKs use instead of the written keys: remove them from that section`);
      }
      if (edit.duplicateLines.length > 0) {
        return { kind: "skipped", path, reason: `it has [profile ${name}] more than once (lines ${edit.duplicateLines.join(", ")})` };
      }
      if (edit.text === undefined) return { kind: "kept", path, region: edit.existingRegion ?? region };
      await atomicWrite(ctx, path, Buffer.from(edit.text, "latin1"), { mode: before ? before.mode & 0o777 : 0o600, previous: before });
      return { kind: "added", path };
    });
  } catch (err) {
    return { kind: "skipped", path, reason: errnoOf(err) };
  }
}
