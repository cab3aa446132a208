import type { AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import type { Credentials } from "../types.js";

export interface StsConfig {
  readonly region: string;
  /** Full endpoint URL (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL); undefined: the SDK's regional endpoint. */
  readonly endpoint?: string | undefined;
  /**
   * Undefined for unsigned calls (AssumeRoleWithWebIdentity). A promise: credentials still on their way (the hop
   * before is running); a request is built at once and signed when they come.
   */
  readonly credentials?: Credentials | Promise<Credentials> | undefined;
  /** Diagnostics sink for -v; never receives secrets. */
  readonly debug?: ((line: string) => void) | undefined;
  /** Total attempts for throttling, 5xx and timeouts (AWS_MAX_ATTEMPTS); default 3. */
  readonly maxAttempts?: number | undefined;
  /** AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT, passed explicitly so the SDK reads no profile for them. */
  readonly useFipsEndpoint?: boolean | undefined;
  readonly useDualstackEndpoint?: boolean | undefined;
  /** AWS_SDK_UA_APP_ID: the app ID the SDK adds to its User-Agent. */
  readonly userAgentAppId?: string | undefined;
  /** AWS_RETRY_MODE: `adaptive` adds client-side rate limiting to the retries; anything else is the standard mode. */
  readonly retryMode?: string | undefined;
  /** Observer of every HTTP answer (errors too): its status and Date header, STS's clock (doctor's clock check). */
  readonly onAnswer?: ((answer: { readonly status?: number | undefined; readonly date?: string | undefined }) => void) | undefined;
}

/** sts:AssumeRole's request exactly as the SDK takes it: the plan's HopParams plus RoleArn, RoleSessionName, TokenCode. */
export type AssumeRoleInput = Readonly<AssumeRoleCommandInput>;

export interface AssumeRoleWithWebIdentityInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly webIdentityToken: string;
  readonly durationSeconds?: number | undefined;
}

/** sts:GetSessionToken's request as the SDK takes it (the plan decides every field). */
export interface GetSessionTokenInput {
  readonly DurationSeconds: number;
  readonly SerialNumber?: string | undefined;
  readonly TokenCode?: string | undefined;
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
  assumeRoleWithWebIdentity(input: AssumeRoleWithWebIdentityInput): Promise<AssumeRoleOutput>;
  getCallerIdentity(): Promise<CallerIdentity>;
  /** With long-term keys only; the session acts as the IAM user (no AssumedRoleUser in the answer). */
  getSessionToken(input: GetSessionTokenInput): Promise<{ readonly credentials: Credentials }>;
}

export type StsFactory = (config: StsConfig) => StsApi;
