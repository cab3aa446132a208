/**
 * The credentials a profile provides by itself (the base of a chain), in the SDKs' order:
 * credential_source, web identity, SSO, credential_process, static keys.
 */
import type { SourcePlan } from "../types.js";
import type { ProfileSet, Properties } from "./profile-set.js";
import { checked, configError, durationSeconds, value } from "./profile-values.js";

export type BaseKind = "named" | "web-identity" | "sso" | "process" | "static";

export interface BaseSource {
  readonly kind: BaseKind;
  readonly source: SourcePlan;
}

/** credential_source values (botocore's canonical names; case-sensitive there and in the JS SDK). */
const NAMED_SOURCES = { Ec2InstanceMetadata: "imds", Environment: "env", EcsContainer: "container" } as const;

const SSO_KEYS = ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name", "sso_registration_scopes"];

/** Keys that make a profile a credential source (or a role hop); a profile with none of them holds only settings. */
const CREDENTIAL_KEYS = [
  "role_arn",
  "credential_source",
  "web_identity_token_file",
  "credential_process",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  ...SSO_KEYS,
];

export function holdsCredentials(profile: Properties): boolean {
  return CREDENTIAL_KEYS.some((k) => value(profile, k) !== undefined);
}

/** `referrer`: the profile whose source this one is, for "did not contain credential information". */
export function baseSource(set: ProfileSet, name: string, profile: Properties, referrer?: string): BaseSource {
  const named = value(profile, "credential_source");
  if (named !== undefined) return { kind: "named", source: { kind: namedSource(name, named), profile: name } };
  const tokenFile = value(profile, "web_identity_token_file");
  if (tokenFile !== undefined) {
    const roleArn = checkedRoleArn(name, profile, "web_identity_token_file was specified but `role_arn` was missing");
    const source: SourcePlan = {
      kind: "web-identity",
      roleArn,
      token: { kind: "file", path: tokenFile },
      sessionName: checked(name, profile, "role_session_name"),
      duration: durationSeconds(name, profile),
      profile: name,
    };
    return { kind: "web-identity", source };
  }
  if (SSO_KEYS.some((k) => value(profile, k) !== undefined)) {
    return { kind: "sso", source: { kind: "sso", profile: name, settings: ssoSettings(set, name, profile) } };
  }
  const command = value(profile, "credential_process");
  if (command !== undefined) return { kind: "process", source: { kind: "process", profile: name, command } };
  const keys = staticSource(name, profile);
  if (keys === undefined) {
    throw configError(
      name,
      `profile \`${name}\` did not contain credential information${referrer === undefined ? "" : ` (it is the source_profile of ${referrer})`}`,
      "give it aws_access_key_id + aws_secret_access_key, credential_process, SSO settings, or role_arn with source_profile or credential_source",
    );
  }
  return { kind: "static", source: keys };
}

/** Static keys, or undefined when the profile has none of the three keys; half a pair is an error. */
export function staticSource(name: string, profile: Properties): Extract<SourcePlan, { kind: "static" }> | undefined {
  const accessKeyId = value(profile, "aws_access_key_id");
  const secretAccessKey = value(profile, "aws_secret_access_key");
  const sessionToken = value(profile, "aws_session_token");
  if (accessKeyId === undefined && secretAccessKey === undefined && sessionToken === undefined) return undefined;
  const hint = "set both aws_access_key_id and aws_secret_access_key (usually in the credentials file)";
  if (accessKeyId === undefined) throw configError(name, "profile missing aws_access_key_id", hint);
  if (secretAccessKey === undefined) throw configError(name, "profile missing aws_secret_access_key", hint);
  const expirationText = value(profile, "aws_credential_expiration");
  const expiration = expirationText === undefined ? undefined : new Date(expirationText);
  if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
    throw configError(name, `aws_credential_expiration '${expirationText}': not an ISO 8601 time`);
  }
  return {
    kind: "static",
    profile: name,
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    accountId: value(profile, "aws_account_id"),
  };
}

function namedSource(name: string, credentialSource: string): "imds" | "env" | "container" {
  const kind = (NAMED_SOURCES as Record<string, "imds" | "env" | "container">)[credentialSource];
  if (Object.hasOwn(NAMED_SOURCES, credentialSource) && kind !== undefined) return kind;
  throw configError(
    name,
    `credential_source '${credentialSource}' is not supported: expected ${Object.keys(NAMED_SOURCES).join(", ")} (case-sensitive)`,
  );
}

function checkedRoleArn(name: string, profile: Properties, missing: string): string {
  const arn = checked(name, profile, "role_arn");
  if (arn === undefined) throw configError(name, missing);
  return arn;
}

/**
 * SSO settings with the sso-session's start URL and region filled in. Rules from the spec: with
 * sso_session, sso_start_url/sso_region belong in [sso-session NAME]; sso_account_id and
 * sso_role_name come together.
 */
function ssoSettings(set: ProfileSet, name: string, profile: Properties): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const key of SSO_KEYS) {
    const v = value(profile, key);
    if (v !== undefined) settings[key] = v;
  }
  const sessionName = settings.sso_session;
  if (sessionName !== undefined) {
    for (const key of ["sso_start_url", "sso_region"]) {
      if (settings[key] !== undefined) {
        throw configError(name, `\`${key}\` can only be specified in the [sso-session] config when a session name is given`);
      }
    }
    const session = set.ssoSessions.get(sessionName);
    if (session === undefined) {
      throw configError(name, `sso-session named \`${sessionName}\` (referenced by profile \`${name}\`) was not found`, `add [sso-session ${sessionName}] to ${set.files.config}`);
    }
    for (const key of ["sso_start_url", "sso_region", "sso_registration_scopes"]) {
      const v = value(session, key);
      if (v !== undefined) settings[key] ??= v;
    }
  }
  const [account, role] = [settings.sso_account_id, settings.sso_role_name];
  if (account !== undefined && role === undefined) throw configError(name, "if `sso_account_id` is set, then `sso_role_name` must also be set");
  if (role !== undefined && account === undefined) throw configError(name, "if `sso_role_name` is set, then `sso_account_id` must also be set");
  for (const key of ["sso_start_url", "sso_region"]) {
    if (settings[key] === undefined) throw configError(name, `\`${key}\` was missing${sessionName === undefined ? "" : ` from [sso-session ${sessionName}]`}`);
  }
  return settings;
}
