/**
 * What assume-role uses of the AWS SDK's STS client. The bundle builds this file on its own
 * (lib/sts-sdk.cjs, scripts/build-bundle.js), so it holds these and what they need, not the package's other
 * commands and its aggregated client: less to read, compile and run on every cold chain.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";

export { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";

/**
 * Makes the first calls of what the SDK uses to send a request, each of which costs more the first time in a process
 * (~1.5 ms together): the ISO date of its signature, HMAC and SHA-256 for SigV4, the UUID of its invocation ID. Called
 * while the source's requests are on the network (commands/sdk-preloader.ts), so a signed request goes out sooner.
 */
export function warmUp(): void {
  new Date(0).toISOString();
  createHmac("sha256", "key").update("data").digest();
  createHash("sha256").update("data").digest("hex");
  randomUUID();
}
