import { isoSeconds } from "../export-set.js";
import type { Formatter } from "../formatter.js";

/**
 * A JSON object for people and scripts (`jq -r .SessionToken`), pretty-printed with 2 spaces.
 * Absent fields are left out, never written as null. JSON escaping carries any string exactly.
 */
export const formatJson: Formatter = ({ credentials: c, region, roleArn, assumedRoleArn }) => {
  const out: Record<string, string> = {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
  };
  if (c.sessionToken !== undefined) out["SessionToken"] = c.sessionToken;
  if (c.expiration !== undefined) out["Expiration"] = isoSeconds(c.expiration);
  if (region !== undefined) out["Region"] = region;
  if (roleArn !== undefined) out["RoleArn"] = roleArn;
  if (assumedRoleArn !== undefined) out["AssumedRoleArn"] = assumedRoleArn;
  return `${JSON.stringify(out, null, 2)}\n`;
};
