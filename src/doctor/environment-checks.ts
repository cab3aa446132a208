/**
 * The environment's hazards, checked before any request: AWS_PROFILE beside exported keys (the SDKs disagree on
 * which wins), credentials in the environment that have expired (our exports carry AWS_CREDENTIAL_EXPIRATION and
 * a marker naming the role), and shared files other users may read.
 */
import { sharedFilePaths } from "../config/file-locations.js";
import type { Context } from "../context.js";
import { EXIT } from "../errors.js";
import { isoSeconds } from "../iso-seconds.js";
import { MARKER_KEY_ID, MARKER_ROLE_ARN } from "../markers.js";
import type { Check } from "./check.js";

export async function environmentChecks(ctx: Context): Promise<Check[]> {
  const env = ctx.env;
  const checks: Check[] = [];
  const keyId = env.AWS_ACCESS_KEY_ID?.trim() || undefined;
  const ours = keyId !== undefined && env[MARKER_KEY_ID] === keyId;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
  if (keyId !== undefined && expiration !== undefined && !Number.isNaN(expiration.getTime()) && expiration.getTime() <= ctx.now().getTime()) {
    const by = ours ? ` (exported by assume-role for ${env[MARKER_ROLE_ARN] ?? "a role"})` : "";
    checks.push({
      name: "environment",
      status: "fail",
      summary: `the credentials in AWS_ACCESS_KEY_ID/AWS_SESSION_TOKEN expired at ${isoSeconds(expiration)}${by}: every AWS tool in this shell is refused`,
      remedy: ['clear them: eval "$(assume-role unset)"', "then fetch new ones: run your eval \"$(assume-role ...)\" again"],
      exitCode: EXIT.noSource,
    });
  }
  if (keyId !== undefined && env.AWS_PROFILE) {
    checks.push({
      name: "environment",
      status: "warn",
      summary: `AWS_PROFILE=${env.AWS_PROFILE} is set beside AWS_ACCESS_KEY_ID: the AWS CLI and botocore use the keys, the JS SDK the profile`,
      remedy: ["keep one: unset AWS_PROFILE to use the keys, or eval \"$(assume-role unset)\" to use the profile"],
    });
  }
  if (ctx.platform !== "win32") {
    const paths = safePaths(ctx);
    for (const path of paths) {
      const mode = await ctx.fs.stat(path).then((s) => s.mode & 0o777, () => undefined);
      if (mode === undefined || (mode & 0o077) === 0) continue;
      checks.push({
        name: "environment",
        status: "warn",
        summary: `${path} is open to ${mode & 0o007 ? "every user" : "its group"} (mode ${mode.toString(8).padStart(4, "0")}); it may hold keys`,
        remedy: [`chmod 600 ${path}`],
      });
    }
  }
  if (checks.length === 0) {
    checks.push({ name: "environment", status: "ok", summary: "no hazards (AWS_PROFILE beside keys, expired exports, ~/.aws file modes)" });
  }
  return checks;
}

function safePaths(ctx: Context): string[] {
  try {
    const { config, credentials } = sharedFilePaths(ctx.env, ctx.platform);
    return [config, credentials];
  } catch {
    return [];
  }
}
