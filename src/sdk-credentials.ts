import type { Credentials } from "./types.js";

/** Credentials as an AWS SDK client takes them: the keys, and the session token only when there is one. */
export function sdkCredentials(c: Credentials): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
}
