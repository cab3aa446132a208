/**
 * The I/O half of `--format github`: append the assignments to the file GitHub Actions names in
 * GITHUB_ENV (the runner reads it after the step and sets the variables for the later steps), and the
 * step outputs (`aws-account-id`, with --output-credentials the credentials too, as
 * aws-actions/configure-aws-credentials names them) to the file named in GITHUB_OUTPUT.
 * One open(O_APPEND) + one write of each whole block, so concurrent writers (other steps' tools in
 * the same job are sequential, but a backgrounded one need not be) cannot interleave inside it.
 */
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { isoSeconds } from "../iso-seconds.js";
import type { ExportSet, FormatInput } from "./export-set.js";
import { formatGithub, githubEnvBlock, githubOutputBlock } from "./formatters/github.js";

const HINT = "run it in a step of a GitHub Actions job (the runner sets GITHUB_ENV and GITHUB_OUTPUT), or choose --format sh or json";

export interface GithubOptions {
  /** --output-credentials: the credentials become step outputs too (masked like every secret). */
  readonly outputCredentials: boolean;
  /** --mask-account-id: the account ID is masked in the job's logs. */
  readonly maskAccountId: boolean;
}

/** The files a `-f github` run appends to; `output` is absent when GITHUB_OUTPUT is not set and not needed. */
export interface GithubFiles {
  readonly env: string;
  readonly output?: string | undefined;
}

/** Before any STS call: the files the run will append to, or a ConfigError (exit 8). */
export async function githubFiles(ctx: Pick<Context, "env" | "fs">, options: GithubOptions): Promise<GithubFiles> {
  const env = await githubEnvPath(ctx);
  const wanted = options.outputCredentials ? "--output-credentials writes the credentials there as step outputs" : undefined;
  if (wanted === undefined && !ctx.env.GITHUB_OUTPUT?.trim()) return { env };
  return { env, output: await runnerFile(ctx, "GITHUB_OUTPUT", wanted ?? "the step outputs go there") };
}

/** Before any STS call: the file the run will append to, or a ConfigError (exit 8). */
export async function githubEnvPath(ctx: Pick<Context, "env" | "fs">): Promise<string> {
  return runnerFile(ctx, "GITHUB_ENV", "there is no file to hand the credentials to");
}

async function runnerFile(ctx: Pick<Context, "env" | "fs">, variable: "GITHUB_ENV" | "GITHUB_OUTPUT", why: string): Promise<string> {
  const path = ctx.env[variable];
  if (path === undefined || path.trim() === "") {
    throw new ConfigError(`--format github: ${variable} is not set, and ${why}`, { hint: HINT });
  }
  let stat;
  try {
    stat = await ctx.fs.stat(path);
  } catch (err) {
    throw new ConfigError(`--format github: ${variable} '${path}' cannot be used (${(err as NodeJS.ErrnoException).code ?? "error"})`, {
      hint: HINT,
    });
  }
  if (!stat.isFile()) throw new ConfigError(`--format github: ${variable} '${path}' is not a regular file`, { hint: HINT });
  return path;
}

/** The account of an IAM or STS ARN (`arn:PARTITION:SERVICE::ACCOUNT:...`), if it names one. */
export function accountOfArn(arn: string | undefined): string | undefined {
  return /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(arn ?? "")?.[1];
}

/** The step outputs of a run: the account ID when known; with --output-credentials the credentials. */
export function githubStepOutputs(input: FormatInput, options: GithubOptions): Array<[string, string]> {
  const outputs: Array<[string, string]> = [];
  const account = accountOfArn(input.assumedRoleArn ?? input.roleArn);
  if (account !== undefined) outputs.push(["aws-account-id", account]);
  if (options.outputCredentials) {
    const c = input.credentials;
    outputs.push(["aws-access-key-id", c.accessKeyId], ["aws-secret-access-key", c.secretAccessKey]);
    if (c.sessionToken !== undefined) outputs.push(["aws-session-token", c.sessionToken]);
    if (c.expiration !== undefined) outputs.push(["aws-expiration", isoSeconds(c.expiration)]);
  }
  return outputs;
}

/**
 * All of `--format github` after the chain ran: build the blocks first (a value they cannot carry fails
 * before any output), append them to the files (from githubFiles, checked before the chain ran), and only
 * then print the `::add-mask::` lines, so that a failed append leaves stdout empty; when the second append
 * fails, the first is cut off again, so no unmasked secret stays behind. The runner reads both files when
 * the step ends, after the masks are registered.
 */
export async function writeGithubOutputs(
  ctx: Pick<Context, "fs" | "stdout">,
  files: GithubFiles,
  input: FormatInput,
  options: GithubOptions = { outputCredentials: false, maskAccountId: false },
): Promise<void> {
  const block = await newBlock(input.exports);
  const outputs = files.output === undefined ? [] : githubStepOutputs(input, options);
  const outputBlock = githubOutputBlock(outputs, await hexSource());
  const account = accountOfArn(input.assumedRoleArn ?? input.roleArn);
  const masks = formatGithub(input) + (options.maskAccountId && account !== undefined ? `::add-mask::${account}\n` : "");
  const envSize = (await ctx.fs.stat(files.env)).size;
  await appendBlock(ctx, files.env, block, "GITHUB_ENV");
  if (files.output !== undefined && outputBlock !== "") {
    try {
      await appendBlock(ctx, files.output, outputBlock, "GITHUB_OUTPUT");
    } catch (err) {
      // No mask line will be printed: the secrets just appended to $GITHUB_ENV must not stay there unmasked.
      await ctx.fs.truncate(files.env, envSize);
      throw err;
    }
  }
  ctx.stdout.write(masks);
}

/** Append the heredoc block for `exports` (random delimiters) to `path` in a single write. */
export async function appendGithubEnv(ctx: Pick<Context, "fs">, path: string, exports: ExportSet): Promise<void> {
  await appendBlock(ctx, path, await newBlock(exports), "GITHUB_ENV");
}

/** node:crypto is loaded here, not at start-up of every run (a sixth of node's start-up). */
async function hexSource(): Promise<() => string> {
  const { randomBytes } = await import("node:crypto");
  return () => randomBytes(16).toString("hex");
}

async function newBlock(exports: ExportSet): Promise<string> {
  return githubEnvBlock(exports, await hexSource());
}

async function appendBlock(ctx: Pick<Context, "fs">, path: string, block: string, variable: string): Promise<void> {
  let handle;
  try {
    handle = await ctx.fs.open(path, "a");
    const bytes = Buffer.from(block, "utf8");
    // One write() for the whole block; the loop only finishes a short write, which a regular file does not do in practice.
    for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done)).bytesWritten;
  } catch (err) {
    throw new ConfigError(`--format github: cannot append to ${variable} '${path}' (${(err as NodeJS.ErrnoException).code ?? "error"})`, {
      hint: HINT,
    });
  } finally {
    await handle?.close();
  }
}
