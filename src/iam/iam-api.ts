import type { Credentials } from "../types.js";

export interface IamConfig {
  /** IAM is global; the region only scopes the signature (us-east-1 for the aws partition). */
  readonly region: string;
  /** AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL; undefined: AWS's global IAM endpoint. */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  /** Diagnostics sink for -v; never receives secrets. */
  readonly debug?: ((line: string) => void) | undefined;
}

/** What doctor reads of a role: its ARN, its trust policy (parsed JSON) and its maximum session. */
export interface RoleInfo {
  readonly arn: string;
  readonly trustPolicy: unknown;
  readonly maxSessionDuration: number | undefined;
}

/** IAM's verdict on one action: `allowed`, `explicitDeny` or `implicitDeny`. */
export type EvalDecision = "allowed" | "explicitDeny" | "implicitDeny";

export interface SimulateInput {
  /** The user or role whose identity policies are simulated. */
  readonly policySourceArn: string;
  readonly actions: readonly string[];
  readonly resourceArn: string;
  /** Condition keys and their (string) values, e.g. sts:ExternalId. */
  readonly context?: Readonly<Record<string, string>> | undefined;
}

/** The IAM reads the core needs (doctor); built only by iam/create-iam.ts (or a test double). */
export interface IamApi {
  getRole(roleName: string): Promise<RoleInfo>;
  /** Each action's decision for the resource. */
  simulatePrincipalPolicy(input: SimulateInput): Promise<Readonly<Record<string, EvalDecision>>>;
}

export type IamFactory = (config: IamConfig) => IamApi;
