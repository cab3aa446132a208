/**
 * Keys that would change which credentials a profile yields, or where they come from, but that
 * assume-role does not implement: they fail with a message naming the key instead of being ignored.
 * Keys that do not affect credentials (output, cli_pager, s3 = ..., retry_mode, ...) pass.
 */
import type { ProfileSet, Properties } from "./profile-set.js";
import { subProperties } from "./profile-set.js";
import { configError, value } from "./profile-values.js";

/** In any profile of the chain: other tools' extensions the AWS SDKs do not read either. */
const FOREIGN: Readonly<Record<string, string>> = {
  include_profile: "aws-vault's profile inheritance is not part of the AWS config format",
  parent_profile: "aws-vault's profile inheritance is not part of the AWS config format",
  session_tags: "session tags from profiles are not supported; pass --tag KEY=VALUE",
  transitive_session_tags: "session tags from profiles are not supported; pass --transitive-tag KEY",
  source_identity: "a source identity from profiles is not supported; pass --source-identity",
  web_identity_token_process: "aws-vault's token command is not supported; use web_identity_token_file",
  login_session: "`aws login` console sessions are not a supported credential source",
};

/** In the selected profile: settings that move the STS endpoint, which assume-role takes from the environment. */
const ENDPOINT_KEYS: Readonly<Record<string, string>> = {
  endpoint_url: "set AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) instead",
  use_fips_endpoint: "FIPS endpoints are not selected from profiles; set AWS_ENDPOINT_URL_STS to the FIPS endpoint",
  use_dualstack_endpoint: "dual-stack endpoints are not selected from profiles; set AWS_ENDPOINT_URL_STS",
};

/** In the selected profile when the chain starts on IMDS: assume-role reads these from the environment only. */
const IMDS_KEYS: Readonly<Record<string, string>> = {
  ec2_metadata_service_endpoint: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  ec2_metadata_service_endpoint_mode: "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  ec2_metadata_v1_disabled: "AWS_EC2_METADATA_V1_DISABLED",
  metadata_service_timeout: "AWS_METADATA_SERVICE_TIMEOUT",
  metadata_service_num_attempts: "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
};

/** Keys that belong to an AssumeRole call: meaningless in a profile whose role is not assumed. */
const HOP_KEYS = ["mfa_serial", "external_id", "duration_seconds", "role_session_name"];

/** Checked when a profile is reached, before its keys are interpreted. */
export function checkForeignKeys(name: string, profile: Properties): void {
  for (const [key, why] of Object.entries(FOREIGN)) {
    if (value(profile, key) !== undefined) throw configError(name, `${key} is not supported: ${why}`);
  }
}

/** The selected profile's endpoint settings (STS calls go where the environment says). */
export function checkEndpointKeys(set: ProfileSet, name: string, profile: Properties, imdsSource: boolean): void {
  for (const [key, how] of Object.entries(ENDPOINT_KEYS)) {
    const v = value(profile, key);
    if (v !== undefined && (key === "endpoint_url" || v.trim().toLowerCase() === "true")) {
      throw configError(name, `${key} is not supported in profiles: ${how}`);
    }
  }
  const services = value(profile, "services");
  const sts = services === undefined ? undefined : set.otherSections.get(`services ${services}`)?.get("sts");
  if (sts !== undefined && subProperties(sts).has("endpoint_url")) {
    throw configError(name, `services = ${services}: its sts endpoint_url is not supported in profiles: set AWS_ENDPOINT_URL_STS instead`);
  }
  if (!imdsSource) return;
  for (const [key, variable] of Object.entries(IMDS_KEYS)) {
    if (value(profile, key) !== undefined) {
      throw configError(name, `${key} is not read from profiles by assume-role: set ${variable} in the environment instead`);
    }
  }
}

/**
 * mfa_serial, external_id, duration_seconds and role_session_name apply to the AssumeRole call of the
 * profile that names role_arn. On a profile without role_arn no SDK uses them; say so rather than
 * let a user believe MFA or an external ID was applied. (`web`: web-identity profiles use the session
 * name and duration for AssumeRoleWithWebIdentity; `mfaSession`: the profile's long-term keys are the
 * chain's source, and its mfa_serial is for GetSessionToken.) mfa_process needs an mfa_serial beside it.
 */
export function checkHopKeys(name: string, profile: Properties, web: boolean, mfaSession = false): void {
  if (value(profile, "mfa_process") !== undefined && value(profile, "mfa_serial") === undefined) {
    throw configError(name, "mfa_process has no effect without mfa_serial: it prints the code for that device", "add mfa_serial = DEVICE-ARN to the profile, or remove mfa_process");
  }
  if (value(profile, "role_arn") !== undefined && !web) return;
  for (const key of HOP_KEYS) {
    if (web && (key === "role_session_name" || key === "duration_seconds")) continue;
    // On the profile holding the chain's long-term keys, mfa_serial opens the MFA session (GetSessionToken).
    if (mfaSession && key === "mfa_serial") continue;
    if (value(profile, key) !== undefined) {
      const why = web ? "AssumeRoleWithWebIdentity takes no such parameter" : `the profile has no role_arn, so no AssumeRole call uses it`;
      throw configError(name, `${key} has no effect here: ${why}`, `move ${key} to the profile that has the role_arn it is meant for`);
    }
  }
}
