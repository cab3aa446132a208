import { CONTAINER_TOKEN_VAR, CONTAINER_URI_VAR, SHADOWING_NAMES } from "./child-env.js";
import { MARKER_ROLE_ARN, type ExportSet } from "./export-set.js";

export const IMDS_ENDPOINT_VAR = "AWS_EC2_METADATA_SERVICE_ENDPOINT";

export interface ImdsExportInput {
  /** http://HOST:PORT/ of the local metadata service. */
  readonly url: string;
  readonly region?: string | undefined;
  readonly roleArn?: string | undefined;
}

/**
 * Pure: the variables that point every SDK at a local metadata service (`serve --imds`), with everything
 * an SDK's default chain tries before IMDS cleared: credential and profile variables, web identity, the
 * container endpoint, and AWS_EC2_METADATA_DISABLED.
 */
export function buildImdsExportSet(input: ImdsExportInput): ExportSet {
  const set: Array<[string, string]> = [[IMDS_ENDPOINT_VAR, input.url]];
  if (input.region !== undefined) set.push(["AWS_REGION", input.region], ["AWS_DEFAULT_REGION", input.region]);
  const unset = [...SHADOWING_NAMES, CONTAINER_URI_VAR, CONTAINER_TOKEN_VAR, "AWS_EC2_METADATA_DISABLED"];
  if (input.roleArn === undefined) unset.push(MARKER_ROLE_ARN);
  else set.push([MARKER_ROLE_ARN, input.roleArn]);
  return { set, unset };
}
