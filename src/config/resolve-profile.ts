/**
 * Pure: a profile set + the selected name → ProfilePlan, by the cross-SDK rules
 * (conformance/assume-role-tests.json; the AWS SDK for Rust's `resolve_chain` is the reference reading):
 * - a profile with role_arn (and no web_identity_token_file) is a hop whose caller comes from
 *   source_profile or credential_source (exactly one of them);
 * - after the selected profile, a source profile with complete static keys is a base, even when it
 *   also has role_arn;
 * - `source_profile` naming the profile itself means "this profile's own credentials, then its role";
 * - any other profile reached twice is a loop;
 * - a selected profile with settings only (region, ...) is an error for the profile provider, and for
 *   the default chain a source of settings: see ResolveOptions.
 */
import type { ProfilePlan } from "../plan/build-plan.js";
import type { HopPlan } from "../types.js";
import { checkEndpointKeys, checkForeignKeys, checkHopKeys } from "./check-profile-keys.js";
import { baseSource, holdsCredentials, staticSource, type BaseSource } from "./profile-source.js";
import type { ProfileSet, Properties } from "./profile-set.js";
import { checked, configError, mfaCommand, roleHop, value } from "./profile-values.js";

export interface ResolvedProfile {
  readonly plan: ProfilePlan;
  /** Every profile the resolution read, selected first (for the credential_process loop guard). */
  readonly visited: readonly string[];
}

export interface ResolveOptions {
  /**
   * What a selected profile that holds only settings (region, output, ...) means:
   * - undefined: the profile provider's rule (the conformance data): "did not contain credential information";
   * - "default-chain": what the SDKs' default chains do: its settings apply and the credentials come
   *   from the next sources of the chain (source `auto`: environment, web identity, container, IMDS);
   * - "required": the same error, with a hint for `--source profile`, which asks for the profile's own credentials.
   */
  readonly settingsOnly?: "default-chain" | "required" | undefined;
}

export function resolveProfile(set: ProfileSet, selected: string, options: ResolveOptions = {}): ResolvedProfile {
  const where = `${set.files.config} or ${set.files.credentials}`;
  if (set.profiles.size === 0) {
    throw configError(selected, `not found: no profiles were defined in ${where}`, "create the profile, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at your files");
  }
  const settings = set.profiles.get(selected);
  if (settings !== undefined && options.settingsOnly !== undefined && !holdsCredentials(settings)) {
    return settingsOnly(set, selected, settings, options.settingsOnly);
  }
  const visited: string[] = [];
  const roles: Array<[string, Properties]> = [];
  let name = selected;
  let base: BaseSource;
  for (;;) {
    const referrer = visited.at(-1);
    const profile = set.profiles.get(name);
    if (profile === undefined) throw missing(set, name, referrer, where);
    if (visited.includes(name)) {
      throw configError(selected, `${[...visited, name].join(" -> ")}: the profile formed an infinite loop of source_profile`, "end the chain at a profile with keys, credential_process, SSO or credential_source");
    }
    visited.push(name);
    checkForeignKeys(name, profile);
    if (visited.length > 1 && value(profile, "aws_access_key_id") !== undefined && value(profile, "aws_secret_access_key") !== undefined) {
      base = { kind: "static", source: staticSource(name, profile)! };
      break;
    }
    if (value(profile, "role_arn") === undefined || value(profile, "web_identity_token_file") !== undefined) {
      base = baseSource(set, name, profile, referrer);
      break;
    }
    roles.push([name, profile]);
    const next = nextProfile(name, profile);
    if (next === undefined) {
      base = baseSource(set, name, profile, referrer);
      break;
    }
    name = next;
  }
  const hops: HopPlan[] = roles.reverse().map(([n, p]) => roleHop(n, p));
  const baseName = base.source.profile ?? name;
  const session = mfaSession(base, baseName, set.profiles.get(baseName)!, roles.some(([n]) => n === baseName));
  for (const n of visited) {
    checkHopKeys(n, set.profiles.get(n)!, n === baseName && base.kind === "web-identity", n === baseName && session !== undefined);
  }
  const selectedProfile = set.profiles.get(selected)!;
  checkEndpointKeys(set, selected, selectedProfile, base.source.kind === "imds");
  return { plan: { name: selected, source: base.source, mfaSession: session, hops, region: value(selectedProfile, "region") }, visited };
}

/**
 * mfa_serial on the profile whose long-term keys start the chain (aws-vault's model): GetSessionToken with that
 * device opens one MFA session for every role after it. Not when the same profile also assumes its own role
 * (source_profile naming itself): its mfa_serial is then that AssumeRole's, as the SDKs read it.
 */
function mfaSession(base: BaseSource, name: string, profile: Properties, ownRole: boolean): ProfilePlan["mfaSession"] {
  const serial = checked(name, profile, "mfa_serial");
  if (base.kind !== "static" || ownRole || serial === undefined) return undefined;
  if (base.source.kind === "static" && base.source.credentials.sessionToken !== undefined) {
    throw configError(
      name,
      "mfa_serial asks for an MFA session (GetSessionToken), which needs long-term keys, but the profile holds a session token",
      "remove aws_session_token (or mfa_serial) from the profile; put mfa_serial on the role profile to send MFA with AssumeRole instead",
    );
  }
  return { profile: name, serial, mfaProcess: mfaCommand(name, profile) };
}

/**
 * A selected profile with settings only: its checks as for any profile, then either a plan with source
 * `auto` and the profile's region, or (`required`) the provider's error.
 */
function settingsOnly(set: ProfileSet, name: string, profile: Properties, mode: "default-chain" | "required"): ResolvedProfile {
  checkForeignKeys(name, profile);
  if (mode === "required") {
    throw configError(
      name,
      `profile \`${name}\` did not contain credential information`,
      "--source profile takes credentials from the profile only: give it keys, credential_process, SSO settings or role_arn, or drop --source profile to take them from the environment, container or IMDS",
    );
  }
  checkHopKeys(name, profile, false);
  // `auto` may end on IMDS: the profile's IMDS settings would be ignored there, so they are refused as for credential_source.
  checkEndpointKeys(set, name, profile, true);
  return { plan: { name, source: { kind: "auto", profile: name }, hops: [], region: value(profile, "region") }, visited: [name] };
}

/** The profile that signs this profile's AssumeRole; undefined: the profile itself (credential_source or self-reference). */
function nextProfile(name: string, profile: Properties): string | undefined {
  const sourceProfile = value(profile, "source_profile");
  const credentialSource = value(profile, "credential_source");
  if (sourceProfile !== undefined && credentialSource !== undefined) {
    throw configError(name, "the profile contained both source_profile and credential_source: keep one", "source_profile names a profile whose credentials call AssumeRole; credential_source names Ec2InstanceMetadata, Environment or EcsContainer");
  }
  if (sourceProfile === undefined && credentialSource === undefined) {
    throw configError(name, "role_arn is set, so the profile must contain `source_profile` or `credential_source`", "add source_profile = PROFILE or credential_source = Ec2InstanceMetadata (or Environment, EcsContainer)");
  }
  return sourceProfile === name ? undefined : sourceProfile;
}

function missing(set: ProfileSet, name: string, referrer: string | undefined, where: string) {
  const known = [...set.profiles.keys()].slice(0, 8).join(", ");
  const hint = `profiles defined: ${known}${set.profiles.size > 8 ? ", ..." : ""}`;
  if (referrer === undefined) return configError(name, `not found in ${where}`, hint);
  return configError(referrer, `could not find source profile ${name} referenced from ${referrer}`, `define [profile ${name}] in ${set.files.config} or [${name}] in ${set.files.credentials}; ${hint}`);
}
