import type { ChainPath, ChainPlan } from "./types.js";

/** Between the source and each role in the ASSUME_ROLE_CHAIN marker: never part of an ARN, a kind or a profile name. */
const SEPARATOR = " > ";

/**
 * Pure: where a plan starts, as the marker names it: `imds`, `env`, `container`, `web-identity`, or the profile that
 * holds the credentials (`profile:NAME` for keys, `process:NAME`, `sso:NAME`). Known without asking the source.
 */
export function sourceLabel(plan: ChainPlan): string {
  const source = plan.source;
  switch (plan.effectiveSource) {
    case "static":
      return source.kind === "static" ? `profile:${source.profile}` : "profile";
    case "process":
    case "sso":
      return "profile" in source && source.profile !== undefined ? `${plan.effectiveSource}:${source.profile}` : plan.effectiveSource;
    default:
      return plan.effectiveSource;
  }
}

/** `imds > arn:aws:iam::111111111111:role/A > arn:aws:iam::222222222222:role/B`. */
export function formatChainMarker(path: ChainPath): string {
  return [path.source, ...path.roles].join(SEPARATOR);
}

/** The marker read back; undefined when it is not one this tool writes (then it is not trusted to name anything). */
export function parseChainMarker(text: string): ChainPath | undefined {
  if (/[\x00-\x1f\x7f-\x9f]/.test(text)) return undefined;
  const [source, ...roles] = text.split(SEPARATOR);
  if (source === undefined || !/^[a-z][a-z-]*(?::\S.*)?$/.test(source)) return undefined;
  if (roles.some((role) => !/^(?:arn:[\w-]+:iam::\d{12}:role\/\S+|[\w+=,.@/-]+)$/.test(role))) return undefined;
  return { source, roles };
}
