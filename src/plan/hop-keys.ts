import type { ChainPlan, Hop, RegionPlan } from "../types.js";
import { parseRoleArn } from "./role-arn.js";
import { localNames, renderKnown, sessionTime } from "./session-name.js";

/** What the machine says without a network request, for the parts of a key that are fixed on it. */
export interface LocalVars {
  readonly user: string;
  readonly host: string;
  readonly now: Date;
}

/**
 * Pure: the cache key of each hop, from the plan and local facts only (no request): the STS endpoint, the source's
 * local identity (plan/source-identity.ts), the region as planned, then for every hop up to this one its role as
 * written, its session name with every token known here rendered and the rest as written (`{instanceId}` is fixed on
 * one machine and boot, which the source identity names), and its parameters exactly as STS will receive them.
 */
export function hopKeys(plan: ChainPlan, sourceIdentity: string, stsEndpoint: string | undefined, local: LocalVars): string[][] {
  const source = JSON.stringify({ sts: stsEndpoint ?? null, source: sourceIdentity, region: regionKey(plan.region) });
  // After an MFA session, every hop's key starts with the session's: its entries are the session's, not the keys'.
  let key = [...(sessionKey(plan, sourceIdentity, stsEndpoint) ?? []), source];
  return plan.hops.map((hop, index) => (key = [...key, hopKey(hop, index, plan.region, local)]));
}

/**
 * Pure: the key of the plan's MFA session (GetSessionToken), undefined without one: the STS endpoint, the source's
 * identity (the access key ID) and the device's serial. Never the code; not the region (a session works in every
 * region, so roles whose profiles name other regions share it); not the duration (a session is reused while it is
 * fresh, whatever length the next run would ask for).
 */
export function sessionKey(plan: ChainPlan, sourceIdentity: string, stsEndpoint: string | undefined): string[] | undefined {
  if (plan.session === undefined) return undefined;
  return [JSON.stringify({ sts: stsEndpoint ?? null, source: sourceIdentity, mfaSession: plan.session.serial })];
}

function hopKey(hop: Hop, index: number, region: RegionPlan, local: LocalVars): string {
  const arn = hop.role.kind === "arn" ? parseRoleArn(hop.role.arn) : undefined;
  const session = renderKnown(hop.sessionTemplate, Object.assign(localNames(local), {
    accountId: arn?.accountId,
    region: region.kind === "imds" ? undefined : region.region,
    role: arn?.name ?? (hop.role.kind === "name" ? hop.role.name.split("/").at(-1) : undefined),
    hop: String(index + 1),
    time: sessionTime(local.now),
  }));
  const role = hop.role.kind === "arn" ? hop.role.arn : `name:${hop.role.name}`;
  return JSON.stringify({ role, session, params: hop.params, fallback: hop.durationFallback ?? null });
}

function regionKey(region: RegionPlan): string {
  return region.kind === "imds" ? "imds" : `${region.kind}:${region.region}`;
}
