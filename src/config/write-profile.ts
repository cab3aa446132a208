import { dirname } from "node:path";
import type { Context } from "../context.js";
import { CliError, ConfigError, UsageError } from "../errors.js";
import { atomicWrite, lstatOrUndefined, refuseUnlessRegularFile, removeLeftoverTemps } from "../fs/atomic-write.js";
import { withFileLock } from "../fs/file-lock.js";
import { ensureDir, octal } from "../fs/secure-dir.js";
import { errnoOf, isErrno, UnsafePathError } from "../fs/unsafe-path-error.js";
import type { Credentials } from "../types.js";
import { editCredentialsSection, PROFILE_NAME } from "./write-profile-section.js";
import { isoMillis } from "../iso-seconds.js";

export interface WriteProfileRequest {
  readonly name: string;
  /** --credentials-file, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
  readonly path?: string | undefined;
  readonly credentials: Credentials;
  readonly force: boolean;
}

export interface WriteProfileResult {
  /** The file written (as resolved: a leading ~/ expanded). */
  readonly path: string;
  /** The aws_credential_expiration written, if the credentials expire. */
  readonly expiration?: Date | undefined;
  /** False when the section was appended. */
  readonly replaced: boolean;
}

/**
 * Each writer holds the lock for milliseconds: a writer waits at most 5 s for any one other. A dead
 * writer's lock is removed at once (its pid is gone), or when not refreshed for 10 s (a live writer's
 * event loop may stall for seconds on a loaded machine, and breaking its lock could lose its write).
 */
const PROFILE_FILE_LOCK = { timeoutMs: 5_000, staleMs: 10_000 } as const;
/** A temp file of a write older than this belongs to a writer that died, whatever its pid says now. */
const LEFTOVER_TEMP_MS = 60_000;

/**
 * What can be checked before any STS call (or MFA prompt), so that a run that could not write costs
 * nothing: the profile name, the file is absent or a regular file (not a link, a directory, a FIFO), and
 * its directory is not writable by group or others. Returns the resolved path.
 */
export async function checkWriteProfileTarget(
  ctx: Context,
  name: string,
  explicitPath: string | undefined,
  force = false,
): Promise<string> {
  validateProfileName(name);
  const path = credentialsFilePath(ctx.env, explicitPath);
  try {
    const before = await lstatOrUndefined(ctx, path);
    if (before) refuseUnlessRegularFile(path, before);
    await checkDirectory(ctx, dirname(path));
    const lock = await lstatOrUndefined(ctx, `${path}.lock`);
    if (lock?.isSymbolicLink()) throw new UnsafePathError(`${path}.lock`, "is a symbolic link, not a lock file assume-role made", `remove ${path}.lock`);
    // What the write would refuse (a duplicated section, long-term keys without --force), refused before STS is asked.
    if (before) {
      const probe: [string, string][] = [["aws_access_key_id", "ASIAPROBE"], ["aws_secret_access_key", "probe"]];
      refuseEdit(editCredentialsSection(await readNoFollow(ctx, path), name, probe), { name, force }, path);
    }
  } catch (err) {
    throw explained(err, path);
  }
  return path;
}

/**
 * Set section [name] of the shared credentials file to `credentials`, every other byte unchanged
 * (see editCredentialsSection for what happens inside the section). Read-modify-write under the lock
 * `<file>.lock`; written atomically with mode 0600; a missing parent directory is created 0700; a
 * symbolic link at the path, or a directory writable by group or others, is refused. Temp files of
 * writers that were killed mid-write are removed. A section holding long-term keys, or role/SSO/process
 * settings the SDKs would use instead of the written keys, is replaced only with `force`.
 */
export async function writeProfile(ctx: Context, request: WriteProfileRequest): Promise<WriteProfileResult> {
  validateProfileName(request.name);
  const path = credentialsFilePath(ctx.env, request.path);
  const values = credentialValues(request.credentials);
  try {
    return await withProfileFileLock(ctx, path, async () => {
      const before = await lstatOrUndefined(ctx, path);
      if (before) refuseUnlessRegularFile(path, before);
      await removeLeftoverTemps(ctx, path, { isRunning: ctx.isProcessRunning, maxAgeMs: LEFTOVER_TEMP_MS });
      const original = before ? await readNoFollow(ctx, path) : "";
      const edit = editCredentialsSection(original, request.name, values);
      refuseEdit(edit, request, path);
      await atomicWrite(ctx, path, Buffer.from(edit.text, "latin1"), { mode: 0o600, previous: before });
      return { path, expiration: request.credentials.expiration, replaced: edit.existed };
    });
  } catch (err) {
    throw explained(err, path);
  }
}

/**
 * Run `edit` holding the lock of a shared profile file (`<file>.lock`), after making its directory (0700 when
 * new) and refusing one that group or others can write: the frame of every edit of the credentials and config files.
 */
export async function withProfileFileLock<T>(ctx: Context, path: string, edit: () => Promise<T>): Promise<T> {
  await ensureDir(ctx, dirname(path));
  await checkDirectory(ctx, dirname(path));
  return withFileLock(ctx, `${path}.lock`, edit, PROFILE_FILE_LOCK);
}

function explained(err: unknown, path: string): CliError {
  if (err instanceof CliError) return err;
  return new ConfigError(`cannot write the credentials file ${path}: ${errnoOf(err)}`, {
    hint: `check that you can write ${dirname(path)}, or choose another file with --credentials-file`,
    cause: err,
  });
}

/**
 * Whoever can write the directory can replace the credentials file (rename over it) with one that
 * sends the SDKs elsewhere, or read the next one we write through a planted link: as for the cache.
 * A directory that does not exist yet is created 0700.
 */
async function checkDirectory(ctx: Context, dir: string): Promise<void> {
  let stats;
  try {
    stats = await ctx.fs.stat(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return;
    throw err;
  }
  if (!stats.isDirectory()) throw new UnsafePathError(dir, "is not a directory", "choose another file with --credentials-file");
  const mode = stats.mode & 0o777;
  if (mode & 0o022) {
    throw new UnsafePathError(
      dir,
      `is writable by ${mode & 0o002 ? "others" : "its group"} (mode ${octal(mode)}), who could replace the credentials file in it`,
      `chmod go-w ${dir}`,
    );
  }
}

/** The profile-name rules of the cross-SDK parser; anything else could not be read back. */
export function validateProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`--write-profile '${name}': not a valid profile name`, {
      hint: "use letters, digits and - / . % @ _ : + only (no spaces, brackets or line breaks)",
    });
  }
}

/** --credentials-file, AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; a leading ~/ means HOME. */
export function credentialsFilePath(env: Context["env"], explicit: string | undefined): string {
  const chosen = explicit || env.AWS_SHARED_CREDENTIALS_FILE || undefined;
  const home = env.HOME || undefined;
  if (chosen !== undefined && !chosen.startsWith("~/")) return chosen;
  if (home === undefined) {
    throw new ConfigError("cannot locate the shared credentials file: HOME is not set", {
      hint: "pass --credentials-file PATH or set AWS_SHARED_CREDENTIALS_FILE",
    });
  }
  return chosen === undefined ? `${home.replace(/\/+$/, "")}/.aws/credentials` : `${home.replace(/\/+$/, "")}/${chosen.slice(2)}`;
}

function credentialValues(c: Credentials): [string, string][] {
  const values: [string, string][] = [
    ["aws_access_key_id", c.accessKeyId],
    ["aws_secret_access_key", c.secretAccessKey],
  ];
  if (c.sessionToken) values.push(["aws_session_token", c.sessionToken]);
  if (c.expiration) values.push(["aws_credential_expiration", isoMillis(c.expiration)]);
  for (const [key, value] of values) {
    // STS never returns such values; refuse rather than write a line that would change the file's structure
    if (!/^[\x21-\x7e]+$/.test(value)) throw new Error(`refusing to write ${key}: not a single line of printable ASCII`);
  }
  return values;
}

function refuseEdit(edit: ReturnType<typeof editCredentialsSection>, request: Pick<WriteProfileRequest, "name" | "force">, path: string): void {
  const name = request.name;
  if (edit.duplicateLines.length > 0) {
    throw new ConfigError(`${path} has section [${name}] more than once (lines ${edit.duplicateLines.join(", ")})`, {
      hint: `merge them into one section (botocore refuses such a file), then run again`,
    });
  }
  if (request.force) return;
  if (edit.longTermKeys) {
    throw new ConfigError(`profile [${name}] in ${path} holds long-term keys (aws_access_key_id without aws_session_token); not overwriting them`, {
      hint: `choose another --write-profile name, or pass --force to replace them`,
    });
  }
  if (edit.sourceKeys.length > 0) {
    throw new ConfigError(`profile [${name}] in ${path} is configured with ${edit.sourceKeys.join(", ")}, which the SDKs would use instead of the written keys`, {
      hint: `choose another --write-profile name, or pass --force to replace those settings`,
    });
  }
}

/** Read the file as bytes (latin1 string), without following a link or opening a FIFO swapped in after the lstat. */
export async function readNoFollow(ctx: Context, path: string): Promise<string> {
  let handle;
  try {
    const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = ctx.fs.constants;
    handle = await ctx.fs.open(path, O_RDONLY | O_NOFOLLOW | (O_NONBLOCK ?? 0));
  } catch (err) {
    if (isErrno(err, "ELOOP")) throw new UnsafePathError(path, "is a symbolic link; assume-role does not write credentials through links", "replace the link with a regular file");
    throw err;
  }
  try {
    // a FIFO swapped in after the lstat would block the read forever
    if (!(await handle.stat()).isFile()) throw new UnsafePathError(path, "is not a regular file", "remove it or choose another path");
    return (await handle.readFile()).toString("latin1");
  } finally {
    await handle.close();
  }
}
