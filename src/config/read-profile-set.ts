import type { Context } from "../context.js";
import { CliError, ConfigError } from "../errors.js";
import { readRegularFile } from "../fs/read-regular-file.js";
import { sharedFilePaths } from "./file-locations.js";
import { profileSetFromText, type ProfileSet } from "./profile-set.js";

/** Read and merge ~/.aws/config and ~/.aws/credentials (or the files the environment names). */
export async function readProfileSet(ctx: Context): Promise<ProfileSet> {
  const files = sharedFilePaths(ctx.env, ctx.platform);
  const [config, credentials] = await Promise.all([readOptional(ctx, files.config), readOptional(ctx, files.credentials)]);
  return profileSetFromText({ config, credentials }, files);
}

/**
 * A missing file is an empty one (as in every SDK); one that exists but cannot be read, or is not a
 * regular file (a FIFO would block the read forever), is an error naming it.
 */
async function readOptional(ctx: Context, path: string): Promise<string> {
  const hint = "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a regular file";
  try {
    return (await readRegularFile(ctx, path, hint))?.toString("utf8") ?? "";
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot be read (${code ?? (err as Error).message})`, {
      hint: "check the file's permissions, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere",
      cause: err,
    });
  }
}
