import { isoSeconds } from "../export-set.js";
import type { Formatter } from "../formatter.js";

/**
 * The `credential_process` protocol, version 1: what the AWS CLI, botocore and the SDKs run from a
 * profile's `credential_process = assume-role ... --format process`. `Version` must be the number 1
 * (the JS SDK rejects the string "1"); `SessionToken` and `Expiration` are left out when absent
 * (no Expiration means the SDKs treat the credentials as static and never refresh them).
 * Same layout as `aws configure export-credentials --format process`: 2-space indent.
 */
export const formatProcess: Formatter = ({ credentials: c }) => {
  const out: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
  };
  if (c.sessionToken !== undefined) out["SessionToken"] = c.sessionToken;
  if (c.expiration !== undefined) out["Expiration"] = isoSeconds(c.expiration);
  return `${JSON.stringify(out, null, 2)}\n`;
};
