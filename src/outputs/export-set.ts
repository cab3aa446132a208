import type { Credentials } from "../types.js";

import { isoSeconds } from "../iso-seconds.js";
import { formatChainMarker } from "../chain-marker.js";
import { MARKER_CHAIN, MARKER_KEY_ID, MARKER_ROLE_ARN } from "../markers.js";
import type { ChainPath } from "../types.js";

export { MARKER_CHAIN, MARKER_KEY_ID, MARKER_ROLE_ARN };

/** Variables every run sets or clears, in output order; `unset` clears exactly these. */
export const EXPORTED_NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  MARKER_ROLE_ARN,
  MARKER_CHAIN,
  MARKER_KEY_ID,
] as const;

/** Variables that would make a tool read a profile (or stale legacy token) instead of the exports. */
export const CLEARED_NAMES = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] as const;

/** What a shell formatter renders: ordered assignments and names to remove. */
export interface ExportSet {
  readonly set: ReadonlyArray<readonly [name: string, value: string]>;
  readonly unset: readonly string[];
}

/** Everything any formatter may need; shell formatters use only `exports`. */
export interface FormatInput {
  readonly exports: ExportSet;
  readonly credentials: Credentials;
  readonly region?: string | undefined;
  readonly roleArn?: string | undefined;
  readonly assumedRoleArn?: string | undefined;
}

export { isoSeconds };

export interface ExportInput {
  readonly credentials: Credentials;
  readonly region?: string | undefined;
  /** The final role (or, with no hop, the source's role when known). */
  readonly roleArn?: string | undefined;
  /** The chain that made them (ASSUME_ROLE_CHAIN), so `whoami` can say so later. */
  readonly chain?: ChainPath | undefined;
}

/** Pure: credentials + region + role → the variables to set and to clear. */
export function buildExportSet(input: ExportInput): ExportSet {
  const c = input.credentials;
  const set: Array<[string, string]> = [
    ["AWS_ACCESS_KEY_ID", c.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", c.secretAccessKey],
  ];
  const unset: string[] = [...CLEARED_NAMES];
  optional(set, unset, "AWS_SESSION_TOKEN", c.sessionToken);
  optional(set, unset, "AWS_CREDENTIAL_EXPIRATION", c.expiration && isoSeconds(c.expiration));
  if (input.region !== undefined) {
    set.push(["AWS_REGION", input.region], ["AWS_DEFAULT_REGION", input.region]);
  }
  optional(set, unset, MARKER_ROLE_ARN, input.roleArn);
  optional(set, unset, MARKER_CHAIN, input.chain && formatChainMarker(input.chain));
  // Always: the next run in the same shell must recognise these as its own exports, even without a ROLE.
  set.push([MARKER_KEY_ID, c.accessKeyId]);
  return { set, unset };
}

function optional(set: Array<[string, string]>, unset: string[], name: string, value: string | undefined): void {
  if (value === undefined) unset.push(name);
  else set.push([name, value]);
}

/** The set that `assume-role unset` renders: nothing to set, everything the tool may have exported cleared. */
export function buildUnsetSet(): ExportSet {
  return { set: [], unset: [...EXPORTED_NAMES] };
}
