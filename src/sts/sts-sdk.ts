/**
 * What assume-role uses of the AWS SDK's STS client. The bundle builds this file on its own
 * (lib/sts-sdk.cjs, scripts/build-bundle.js), so it holds these and what they need, not the package's other
 * commands and its aggregated client: less to read, compile and run on every cold chain.
 */
export { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
