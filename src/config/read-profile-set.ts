import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { sharedFilePaths } from "./file-locations.js";
import { profileSetFromText, type ProfileSet } from "./profile-set.js";

/** Read and merge ~/.aws/config and ~/.aws/credentials (or the files the environment names). */
export async function readProfileSet(ctx: Context): Promise<ProfileSet> {
  const files = sharedFilePaths(ctx.env, ctx.platform);
  const [config, credentials] = await Promise.all([readOptional(ctx, files.config), readOptional(ctx, files.credentials)]);
  return profileSetFromText({ config, credentials }, files);
}

/** A missing file is an empty one (as in every SDK); one that exists but cannot be read is an error. */
async function readOptional(ctx: Context, path: string): Promise<string> {
  try {
    return await ctx.fs.readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "";
    throw new ConfigError(`${path}: cannot be read (${code ?? (err as Error).message})`, {
      hint: "check the file's permissions, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere",
      cause: err,
    });
  }
}
