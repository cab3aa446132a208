import { ConfigError, UsageError } from "../errors.js";
import { ciSessionName } from "../ci-identity.js";
import { SOURCE_KINDS, type ChainPlan, type HopPlan, type MfaCommand, type RegionPlan, type SourceKind, type SourcePlan } from "../types.js";
import { decideHops } from "./decide-hops.js";
import { decideSession } from "./decide-session.js";
import { decideSource } from "./decide-source.js";
import { parseDuration } from "./parse-duration.js";
import { effectiveSource, sourceIsRoleSession } from "./pick-source.js";
import { defaultRegionOfPartition, parseRoleArn, parseRoleRef } from "./role-arn.js";
import { checkTemplate } from "./session-name.js";
import { parseSessionTags } from "./session-tags.js";
import { validateHopFlags } from "./validate-hop-flags.js";

/** What a profile resolves to (config/): its source, its own hops, its region. */
export interface ProfilePlan {
  readonly name: string;
  readonly source: SourcePlan;
  /** mfa_serial (and mfa_process) on the profile whose long-term keys are the source: GetSessionToken with MFA. */
  readonly mfaSession?: { readonly profile: string; readonly serial: string; readonly mfaProcess?: MfaCommand | undefined } | undefined;
  readonly hops: readonly HopPlan[];
  readonly region?: string | undefined;
}

export interface PlanInput {
  readonly roles: readonly string[];
  readonly source?: string | undefined;
  readonly profile?: ProfilePlan | undefined;
  readonly sessionName?: string | undefined;
  readonly duration?: string | undefined;
  readonly externalId?: string | undefined;
  readonly mfaSerial?: string | undefined;
  /** --mfa-process CMD: prints the code for every MFA device of the chain (else a profile's mfa_process). */
  readonly mfaProcess?: string | undefined;
  /** --mfa-session-duration: GetSessionToken's DurationSeconds when the chain opens an MFA session. */
  readonly mfaSessionDuration?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  /** `--tag KEY=VALUE` and `--transitive-tag KEY`, as given. */
  readonly tags?: readonly string[] | undefined;
  readonly transitiveTags?: readonly string[] | undefined;
  /** The session policy's text (the --policy file, already checked by checkSessionPolicy). */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  readonly region?: string | undefined;
  /** --web-identity-token-file / --web-identity-token-env: the token for --source web-identity. */
  readonly webIdentityTokenFile?: string | undefined;
  readonly webIdentityTokenEnv?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;

/**
 * Pure: command line (+ the selected profile's plan) + environment → a validated ChainPlan.
 * The profile's hops come first, then the command-line ROLEs. Flags fill what a profile hop leaves
 * unset: --session-name and --duration on every hop, --mfa-serial on the first, --external-id and
 * session policies on the last; source identity and tags go on every hop, except that a later hop
 * inherits the transitive tags instead of sending them again (see decideHops).
 */
export function buildPlan(input: PlanInput): ChainPlan {
  const sourceKind = parseSource(input.source ?? "auto");
  if (input.sessionName !== undefined) checkTemplate(input.sessionName);
  const duration = input.duration === undefined ? undefined : parseDuration(input.duration);
  const sessionTags = parseSessionTags(input.tags ?? [], input.transitiveTags ?? []);
  validateHopFlags(input);
  const web = webIdentityFromFlags(sourceKind, input, duration);
  const roles = web === undefined ? input.roles : web.roles;
  const hops: HopPlan[] = [...(input.profile?.hops ?? []), ...roles.map((r) => ({ role: parseRoleRef(r) }))];
  const hopFlags: Array<[string, boolean]> = [
    ["--external-id", input.externalId !== undefined],
    ["--mfa-serial", input.mfaSerial !== undefined],
    ["--policy", input.policy !== undefined],
    ["--policy-arn", (input.policyArns?.length ?? 0) > 0],
    ["--source-identity", input.sourceIdentity !== undefined],
    ["--tag", sessionTags.tags.length > 0],
  ];
  const given = hopFlags.filter(([, set]) => set).map(([flag]) => flag);
  if (hops.length === 0 && given.length > 0) {
    throw new UsageError(`${given.join(", ")}: ${given.length === 1 ? "applies" : "apply"} to AssumeRole, but there is no ROLE (or profile with role_arn) to assume`);
  }
  const last = hops.length - 1;
  const planned = hops.map((hop, i) => ({
    ...hop,
    sessionName: hop.sessionName ?? input.sessionName,
    duration: hop.duration ?? duration,
    durationOrigin: hop.duration !== undefined ? hop.durationOrigin : duration !== undefined ? "--duration" : undefined,
    mfaSerial: hop.mfaSerial ?? (i === 0 ? input.mfaSerial : undefined),
    externalId: hop.externalId ?? (i === last ? input.externalId : undefined),
    policy: i === last ? input.policy : undefined,
    policyArns: i === last && input.policyArns?.length ? input.policyArns : undefined,
    sourceIdentity: input.sourceIdentity,
    // Every hop asks for the tags; decideHops drops those a later hop inherits as transitive.
    tags: sessionTags.tags.length ? sessionTags.tags : undefined,
    transitiveTagKeys: sessionTags.transitiveKeys.length ? sessionTags.transitiveKeys : undefined,
  }));
  const requested = web?.source ?? sourcePlan(sourceKind, input.profile);
  const effective = effectiveSource(requested, input.env);
  const ci = ciSessionName(input.env);
  const source = decideSource(requested, effective, input.env, { sessionName: input.sessionName, ciSessionName: ci });
  if (input.mfaProcess !== undefined && input.mfaProcess.trim() === "") {
    throw new UsageError("--mfa-process: needs a command that prints the 6-digit code, e.g. --mfa-process 'ykman oath accounts code -s aws'");
  }
  const flagProcess: MfaCommand | undefined = input.mfaProcess === undefined ? undefined : { command: input.mfaProcess, origin: "--mfa-process" };
  const session = decideSession(input.profile, source, { mfaSessionDuration: input.mfaSessionDuration, mfaProcess: flagProcess });
  const withMfa = planned.map((hop) => ({
    ...hop,
    // aws-vault's precedence: the MFA session already proves this device; AssumeRole does not ask for it again.
    mfaSerial: hop.mfaSerial === session?.serial ? undefined : hop.mfaSerial,
    mfaProcess: flagProcess ?? hop.mfaProcess,
  }));
  if (input.mfaProcess !== undefined && session === undefined && !withMfa.some((hop) => hop.mfaSerial !== undefined)) {
    throw new UsageError("--mfa-process: no step of this chain needs MFA (add --mfa-serial, or mfa_serial in the profile)");
  }
  const decided = decideHops(withMfa, {
    source: effective,
    sourceIsRoleSession: sourceIsRoleSession(source, effective, input.env),
    afterMfaSession: session !== undefined,
    ciSessionName: ci,
  });
  return {
    source,
    effectiveSource: effective,
    ...(session === undefined ? {} : { session }),
    hops: decided.hops,
    region: regionPlan(resolveRegion(input), effective, source, planned, input.env),
    warnings: decided.warnings,
  };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--source web-identity` without a profile (the token flags alone imply it under `auto`):
 * the role is AWS_ROLE_ARN when set (every ROLE is then chained after it), else the first ROLE,
 * which must be an ARN; the token comes from the flags, else from the environment when the source runs.
 * Undefined when the source is not web identity from flags (a profile's web identity is its own plan).
 */
function webIdentityFromFlags(
  kind: SourceKind,
  input: PlanInput,
  duration: number | "max" | undefined,
): { source: SourcePlan; roles: readonly string[] } | undefined {
  const file = input.webIdentityTokenFile;
  const envName = input.webIdentityTokenEnv;
  const flagged = file !== undefined || envName !== undefined;
  const fromFlags = input.profile === undefined && (kind === "web-identity" || (kind === "auto" && flagged));
  if (!fromFlags) {
    if (flagged) {
      throw new UsageError("--web-identity-token-file and --web-identity-token-env apply to --source web-identity only (not with a profile or another source)");
    }
    return undefined;
  }
  if (file !== undefined && envName !== undefined) {
    throw new UsageError("--web-identity-token-file and --web-identity-token-env both name the token: choose one");
  }
  if (file === "") throw new UsageError("--web-identity-token-file: needs a path");
  if (envName !== undefined && !ENV_NAME.test(envName)) {
    throw new UsageError(`--web-identity-token-env '${envName}': not an environment variable name`);
  }
  const token = file !== undefined ? ({ kind: "file", path: file } as const) : envName !== undefined ? ({ kind: "env", name: envName } as const) : undefined;
  const common = { kind: "web-identity", token, sessionName: input.sessionName, duration } as const;
  if ((input.env.AWS_ROLE_ARN ?? "").trim() !== "") return { source: common, roles: input.roles };
  const [first, ...rest] = input.roles;
  if (first === undefined) {
    throw new UsageError("--source web-identity needs the role to assume with the token: set AWS_ROLE_ARN, or give its ARN as the first ROLE");
  }
  if (parseRoleRef(first).kind !== "arn") {
    throw new UsageError(`ROLE '${first}': with --source web-identity and no AWS_ROLE_ARN the first ROLE is the web identity role and must be a full role ARN`);
  }
  return { source: { ...common, roleArn: first }, roles: rest };
}

function sourcePlan(kind: SourceKind, profile: ProfilePlan | undefined): SourcePlan {
  if (profile === undefined) {
    if (kind === "profile") throw new UsageError("--source profile needs --profile NAME (or AWS_PROFILE)");
    if (kind === "web-identity") return { kind, token: undefined };
    return { kind };
  }
  if (kind !== "auto" && kind !== "profile") {
    throw new UsageError(`--source ${kind} and --profile ${profile.name} both name where credentials come from: choose one`);
  }
  return profile.source;
}

function parseSource(value: string): SourceKind {
  if ((SOURCE_KINDS as readonly string[]).includes(value)) return value as SourceKind;
  throw new UsageError(`--source '${value}': expected one of ${SOURCE_KINDS.join(", ")}`);
}

/** A region that was set wins; else the instance's (IMDS), else the default of the partition of the first role. */
function regionPlan(
  set: { region: string; origin: string } | undefined,
  effective: string,
  source: SourcePlan,
  hops: readonly HopPlan[],
  env: PlanInput["env"],
): RegionPlan {
  if (set !== undefined) return { kind: "set", ...set };
  const webRole = source.kind === "web-identity" ? (source.roleArn ?? env.AWS_ROLE_ARN) : undefined;
  const first = webRole ?? (hops[0]?.role.kind === "arn" ? hops[0].role.arn : undefined);
  const fallback = defaultRegionOfPartition(parseRoleArn(first ?? "")?.partition ?? "aws");
  return effective === "imds" ? { kind: "imds", fallback } : { kind: "default", region: fallback };
}

function resolveRegion(input: PlanInput): { region: string; origin: string } | undefined {
  const candidates: Array<[string, string | undefined]> = [
    ["--region", input.region],
    ["AWS_REGION", input.env.AWS_REGION],
    ["AWS_DEFAULT_REGION", input.env.AWS_DEFAULT_REGION],
    [`region of profile ${input.profile?.name}`, input.profile?.region],
  ];
  if (input.region === "") throw new UsageError("--region '': needs a region name like us-east-1");
  // Every value given is checked, not only the one that wins: a bad region in a profile is a bug to fix today.
  const given = candidates.filter((c): c is [string, string] => c[1] !== undefined && c[1] !== "");
  for (const [origin, value] of given) {
    if (REGION.test(value)) continue;
    const message = `${origin} '${value}': not a region name like us-east-1`;
    throw origin === "--region" ? new UsageError(message) : new ConfigError(message);
  }
  const [origin, region] = given[0] ?? [];
  return origin === undefined || region === undefined ? undefined : { region, origin };
}
