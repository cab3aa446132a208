import { dirname } from "node:path";
import type { Context } from "../context.js";
import { CliError, ConfigError, UsageError } from "../errors.js";
import { atomicWrite, lstatOrUndefined, refuseUnlessRegularFile } from "../fs/atomic-write.js";
import { withFileLock } from "../fs/file-lock.js";
import { ensureDir } from "../fs/secure-dir.js";
import { errnoOf, isErrno, UnsafePathError } from "../fs/unsafe-path-error.js";
import type { Credentials } from "../types.js";
import { editCredentialsSection, PROFILE_NAME } from "./write-profile-section.js";

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

/** How long a writer waits for another one before giving up (each holds the lock for milliseconds). */
const LOCK_TIMEOUT_MS = 30_000;
const LOCK_STALE_MS = 30_000;

/**
 * Set section [name] of the shared credentials file to `credentials`, every other byte unchanged
 * (see editCredentialsSection for what happens inside the section). Read-modify-write under the lock
 * `<file>.lock`; written atomically with mode 0600; a missing parent directory is created 0700; a
 * symbolic link at the path is refused. A section holding long-term keys, or role/SSO/process settings
 * the SDKs would use instead of the written keys, is replaced only with `force`.
 */
export async function writeProfile(ctx: Context, request: WriteProfileRequest): Promise<WriteProfileResult> {
  validateProfileName(request.name);
  const path = credentialsFilePath(ctx.env, request.path);
  const values = credentialValues(request.credentials);
  try {
    await ensureDir(ctx, dirname(path));
    return await withFileLock(
      ctx,
      `${path}.lock`,
      async () => {
        const before = await lstatOrUndefined(ctx, path);
        if (before) refuseUnlessRegularFile(path, before);
        const original = before ? await readNoFollow(ctx, path) : "";
        const edit = editCredentialsSection(original, request.name, values);
        refuseEdit(edit, request, path);
        await atomicWrite(ctx, path, Buffer.from(edit.text, "latin1"), { mode: 0o600, previous: before });
        return { path, expiration: request.credentials.expiration, replaced: edit.existed };
      },
      { timeoutMs: LOCK_TIMEOUT_MS, staleMs: LOCK_STALE_MS },
    );
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new ConfigError(`cannot write the credentials file ${path}: ${errnoOf(err)}`, {
      hint: `check that you can write ${dirname(path)}, or choose another file with --credentials-file`,
      cause: err,
    });
  }
}

/** The profile-name rules of the cross-SDK parser; anything else could not be read back. */
export function validateProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`--write-profile '${name.replace(/[\r\n]/g, "\\n")}': not a valid profile name`, {
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
  if (c.expiration) values.push(["aws_credential_expiration", c.expiration.toISOString()]);
  for (const [key, value] of values) {
    // STS never returns such values; refuse rather than write a line that would change the file's structure
    if (!/^[\x21-\x7e]+$/.test(value)) throw new Error(`refusing to write ${key}: not a single line of printable ASCII`);
  }
  return values;
}

function refuseEdit(edit: ReturnType<typeof editCredentialsSection>, request: WriteProfileRequest, path: string): void {
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

/** Read the file as bytes (latin1 string), without following a link swapped in after the lstat. */
async function readNoFollow(ctx: Context, path: string): Promise<string> {
  let handle;
  try {
    handle = await ctx.fs.open(path, ctx.fs.constants.O_RDONLY | ctx.fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (isErrno(err, "ELOOP")) throw new UnsafePathError(path, "is a symbolic link; assume-role does not write credentials through links", "replace the link with a regular file");
    throw err;
  }
  try {
    return (await handle.readFile()).toString("latin1");
  } finally {
    await handle.close();
  }
}
