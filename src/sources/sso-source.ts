/**
 * SSO (IAM Identity Center) profiles, through the SDK's own provider (`fromSSO`), so that the token
 * cache `aws sso login` leaves in ~/.aws/sso/cache is read, refreshed and used exactly as the AWS CLI
 * does. The settings come from our resolution of the profile (plan.settings); the file paths are the
 * ones our environment names, so the SDK reads the same files for an sso-session's token.
 * The SDK is imported only when an SSO profile is used (start-up cost).
 */
import { sharedFilePaths } from "../config/file-locations.js";
import type { Context } from "../context.js";
import { ConfigError, NoCredentialsError } from "../errors.js";
import { partitionOfRegion } from "../plan/role-arn.js";
import type { SourcePlan, SourceResult } from "../types.js";

type SsoPlan = Extract<SourcePlan, { kind: "sso" }>;

/** Errors after which logging in again is the fix (no token, expired token, refused token). */
const LOGIN_ERRORS = new Set(["CredentialsProviderError", "TokenProviderError", "UnauthorizedException", "InvalidGrantException", "ExpiredTokenException"]);

export async function ssoSource(ctx: Context, plan: SsoPlan): Promise<SourceResult> {
  const s = plan.settings;
  if (s.sso_account_id === undefined || s.sso_role_name === undefined) {
    throw new ConfigError(`profile ${plan.profile}: SSO settings without sso_account_id and sso_role_name give a login token, not credentials`, {
      hint: `add sso_account_id and sso_role_name to [profile ${plan.profile}] (aws configure sso writes them)`,
    });
  }
  const files = sharedFilePaths(ctx.env, ctx.platform);
  const { fromSSO } = await import("@aws-sdk/credential-provider-sso");
  let credentials;
  try {
    credentials = await fromSSO({
      profile: plan.profile,
      filepath: files.credentials,
      configFilepath: files.config,
      ssoStartUrl: s.sso_start_url,
      ssoRegion: s.sso_region,
      ssoAccountId: s.sso_account_id,
      ssoRoleName: s.sso_role_name,
      ssoSession: s.sso_session,
    })();
  } catch (err) {
    const e = err as Error;
    const message = (e.message ?? String(err)).split("\n")[0];
    if (LOGIN_ERRORS.has(e.name)) {
      throw new NoCredentialsError(`profile ${plan.profile} (SSO): ${message}`, { hint: `run aws sso login --profile ${plan.profile}`, cause: err });
    }
    throw new NoCredentialsError(`profile ${plan.profile} (SSO): cannot get role credentials from the SSO portal in ${s.sso_region}: ${message}`, {
      hint: `check network access to portal.sso.${s.sso_region}.amazonaws.com; if the session expired, run aws sso login --profile ${plan.profile}`,
      cause: err,
    });
  }
  return {
    kind: "sso",
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    },
    accountId: s.sso_account_id,
    partition: s.sso_region === undefined ? undefined : partitionOfRegion(s.sso_region),
  };
}
