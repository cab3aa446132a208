import type { Credentials } from "../types.js";

export interface StsConfig {
  readonly region: string;
  /** Full endpoint URL (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL); undefined: the SDK's regional endpoint. */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  /** Diagnostics sink for -v; never receives secrets. */
  readonly debug?: ((line: string) => void) | undefined;
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds?: number | undefined;
  readonly externalId?: string | undefined;
}

export interface AssumeRoleOutput {
  readonly credentials: Credentials;
  readonly assumedRoleArn: string;
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** The STS operations the core needs; built only by sts/create-sts.ts (or a test double). */
export interface StsApi {
  assumeRole(input: AssumeRoleInput): Promise<AssumeRoleOutput>;
  getCallerIdentity(): Promise<CallerIdentity>;
}

export type StsFactory = (config: StsConfig) => StsApi;
