/**
 * The I/O half of `--format github`: append the assignments to the file GitHub Actions names in
 * GITHUB_ENV (the runner reads it after the step and sets the variables for the later steps).
 * One open(O_APPEND) + one write of the whole block, so concurrent writers (other steps' tools in
 * the same job are sequential, but a backgrounded one need not be) cannot interleave inside it.
 */
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import type { ExportSet, FormatInput } from "./export-set.js";
import { formatGithub, githubEnvBlock } from "./formatters/github.js";

const HINT = "run it in a step of a GitHub Actions job (the runner sets GITHUB_ENV), or choose --format sh or json";

/** Before any STS call: the file the run will append to, or a ConfigError (exit 8). */
export async function githubEnvPath(ctx: Pick<Context, "env" | "fs">): Promise<string> {
  const path = ctx.env.GITHUB_ENV;
  if (path === undefined || path.trim() === "") {
    throw new ConfigError("--format github: GITHUB_ENV is not set, so there is no file to hand the credentials to", { hint: HINT });
  }
  let stat;
  try {
    stat = await ctx.fs.stat(path);
  } catch (err) {
    throw new ConfigError(`--format github: GITHUB_ENV '${path}' cannot be used (${(err as NodeJS.ErrnoException).code ?? "error"})`, {
      hint: HINT,
    });
  }
  if (!stat.isFile()) throw new ConfigError(`--format github: GITHUB_ENV '${path}' is not a regular file`, { hint: HINT });
  return path;
}

/**
 * All of `--format github` after the chain ran: build the block first (a value it cannot carry fails
 * before any output), append it to `path` (from githubEnvPath, checked before the chain ran), and only
 * then print the `::add-mask::` lines, so that a failed append leaves stdout empty. The runner reads
 * $GITHUB_ENV when the step ends, after the masks are registered.
 */
export async function writeGithubOutputs(ctx: Pick<Context, "fs" | "stdout">, path: string, input: FormatInput): Promise<void> {
  const block = await newBlock(input.exports);
  const masks = formatGithub(input);
  await appendBlock(ctx, path, block);
  ctx.stdout.write(masks);
}

/** Append the heredoc block for `exports` (random delimiters) to `path` in a single write. */
export async function appendGithubEnv(ctx: Pick<Context, "fs">, path: string, exports: ExportSet): Promise<void> {
  await appendBlock(ctx, path, await newBlock(exports));
}

/** node:crypto is loaded here, not at start-up of every run (a sixth of node's start-up). */
async function newBlock(exports: ExportSet): Promise<string> {
  const { randomBytes } = await import("node:crypto");
  return githubEnvBlock(exports, () => randomBytes(16).toString("hex"));
}

async function appendBlock(ctx: Pick<Context, "fs">, path: string, block: string): Promise<void> {
  let handle;
  try {
    handle = await ctx.fs.open(path, "a");
    const bytes = Buffer.from(block, "utf8");
    // One write() for the whole block; the loop only finishes a short write, which a regular file does not do in practice.
    for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done)).bytesWritten;
  } catch (err) {
    throw new ConfigError(`--format github: cannot append to GITHUB_ENV '${path}' (${(err as NodeJS.ErrnoException).code ?? "error"})`, {
      hint: HINT,
    });
  } finally {
    await handle?.close();
  }
}
