import { UsageError } from "../errors.js";
import { SOURCE_KINDS, type ChainPlan, type SourceKind } from "../types.js";
import { parseDuration } from "./parse-duration.js";
import { parseRoleRef } from "./role-arn.js";
import { templateTokens } from "./session-name.js";

export interface PlanInput {
  readonly roles: readonly string[];
  readonly source?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly duration?: string | undefined;
  readonly externalId?: string | undefined;
  readonly region?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** Pure: command-line input + environment → a validated ChainPlan. Nothing here touches the network. */
export function buildPlan(input: PlanInput): ChainPlan {
  const source = parseSource(input.source ?? "auto");
  if (input.sessionName !== undefined) templateTokens(input.sessionName);
  const duration = input.duration === undefined ? undefined : parseDuration(input.duration);
  if (input.externalId !== undefined && !EXTERNAL_ID.test(input.externalId)) {
    throw new UsageError("--external-id: must be 2-1224 characters of letters, digits and +=,.@:/_-");
  }
  if (input.externalId !== undefined && input.roles.length === 0) {
    throw new UsageError("--external-id needs a ROLE to assume");
  }
  const roles = input.roles.map(parseRoleRef);
  const hops = roles.map((role, i) => ({
    role,
    sessionName: input.sessionName,
    duration,
    externalId: i === roles.length - 1 ? input.externalId : undefined,
  }));
  return { source, hops, region: resolveRegion(input) };
}

function parseSource(value: string): SourceKind {
  if ((SOURCE_KINDS as readonly string[]).includes(value)) return value as SourceKind;
  throw new UsageError(`--source '${value}': expected one of ${SOURCE_KINDS.join(", ")}`);
}

function resolveRegion(input: PlanInput): string | undefined {
  const candidates: Array<[string, string | undefined]> = [
    ["--region", input.region],
    ["AWS_REGION", input.env.AWS_REGION],
    ["AWS_DEFAULT_REGION", input.env.AWS_DEFAULT_REGION],
  ];
  for (const [origin, value] of candidates) {
    if (value === undefined || value === "") continue;
    if (!REGION.test(value)) throw new UsageError(`${origin} '${value}': not a region name like us-east-1`);
    return value;
  }
  return undefined;
}
