import { UsageError } from "../errors.js";
import { SOURCE_KINDS, type ChainPlan, type HopPlan, type SourceKind, type SourcePlan, type Tag } from "../types.js";
import { parseDuration } from "./parse-duration.js";
import { parseRoleRef } from "./role-arn.js";
import { templateTokens } from "./session-name.js";
import { validateHopFlags } from "./validate-hop-flags.js";

/** What a profile resolves to (config/): its source, its own hops, its region. */
export interface ProfilePlan {
  readonly name: string;
  readonly source: SourcePlan;
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
  readonly sourceIdentity?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly transitiveTags?: readonly string[] | undefined;
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  readonly region?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * Pure: command line (+ the selected profile's plan) + environment → a validated ChainPlan.
 * The profile's hops come first, then the command-line ROLEs. Flags fill what a profile hop leaves
 * unset: --session-name and --duration on every hop, --mfa-serial on the first, --external-id and
 * session policies on the last; source identity and tags go on every hop.
 */
export function buildPlan(input: PlanInput): ChainPlan {
  const sourceKind = parseSource(input.source ?? "auto");
  if (input.sessionName !== undefined) templateTokens(input.sessionName);
  const duration = input.duration === undefined ? undefined : parseDuration(input.duration);
  const tags = (input.tags ?? []).map(parseTag);
  validateHopFlags(input);
  const hops: HopPlan[] = [...(input.profile?.hops ?? []), ...input.roles.map((r) => ({ role: parseRoleRef(r) }))];
  const needsHop = [input.externalId, input.mfaSerial, input.policy, input.policyArns?.length ? "x" : undefined];
  if (hops.length === 0 && needsHop.some((v) => v !== undefined)) {
    throw new UsageError("--external-id, --mfa-serial and --policy/--policy-arn need a ROLE (or a profile with role_arn) to assume");
  }
  const last = hops.length - 1;
  const planned = hops.map((hop, i) => ({
    ...hop,
    sessionName: hop.sessionName ?? input.sessionName,
    duration: hop.duration ?? duration,
    mfaSerial: hop.mfaSerial ?? (i === 0 ? input.mfaSerial : undefined),
    externalId: hop.externalId ?? (i === last ? input.externalId : undefined),
    policy: i === last ? input.policy : undefined,
    policyArns: i === last && input.policyArns?.length ? input.policyArns : undefined,
    sourceIdentity: input.sourceIdentity,
    tags: tags.length ? tags : undefined,
    transitiveTagKeys: input.transitiveTags?.length ? input.transitiveTags : undefined,
  }));
  return { source: sourcePlan(sourceKind, input.profile), hops: planned, region: resolveRegion(input) };
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

function parseTag(text: string): Tag {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--tag '${text}': expected KEY=VALUE`);
  return { key: text.slice(0, eq), value: text.slice(eq + 1) };
}

function resolveRegion(input: PlanInput): string | undefined {
  const candidates: Array<[string, string | undefined]> = [
    ["--region", input.region],
    ["AWS_REGION", input.env.AWS_REGION],
    ["AWS_DEFAULT_REGION", input.env.AWS_DEFAULT_REGION],
    [`region of profile ${input.profile?.name}`, input.profile?.region],
  ];
  for (const [origin, value] of candidates) {
    if (value === undefined || value === "") continue;
    if (!REGION.test(value)) throw new UsageError(`${origin} '${value}': not a region name like us-east-1`);
    return value;
  }
  return undefined;
}
