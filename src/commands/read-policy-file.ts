import { constants } from "node:fs";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { checkSessionPolicy } from "../plan/session-policy.js";

/** Far more than any session policy AWS accepts (2048 characters): larger files are refused unread. */
const MAX_POLICY_FILE_BYTES = 64 * 1024;

/**
 * The `--policy` file's text, checked (checkSessionPolicy). Only a regular file is read: opened without
 * blocking, so a FIFO or a device is refused at once instead of hanging the run.
 */
export async function readPolicyFile(ctx: Context, path: string): Promise<string> {
  const fail = (rule: string, cause?: unknown) => new UsageError(`--policy '${path}': ${rule}`, { cause });
  if (path === "") throw fail("needs a file name");
  let bytes: Buffer;
  try {
    const file = await ctx.fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await file.stat();
      if (!stat.isFile()) throw fail(stat.isDirectory() ? "is a directory, not a policy file" : "is not a regular file");
      if (stat.size > MAX_POLICY_FILE_BYTES) throw fail(`is ${stat.size} bytes; a session policy has at most 2048 characters`);
      bytes = await file.readFile();
    } finally {
      await file.close();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw fail("is not UTF-8 text", err);
  }
  return checkSessionPolicy(text, path);
}
