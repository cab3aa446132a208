/** Credentials as every part of the tool passes them around. `expiration` is the raw value AWS gave. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

export type SourceKind = "auto" | "imds" | "env";
export const SOURCE_KINDS: readonly SourceKind[] = ["auto", "imds", "env"];

/** A role named on the command line: a full ARN, or a bare name completed at run time. */
export type RoleRef =
  | { readonly kind: "arn"; readonly arn: string }
  | { readonly kind: "name"; readonly name: string };

/** One sts:AssumeRole call, as planned before anything touches the network. */
export interface HopPlan {
  readonly role: RoleRef;
  /** Session-name template; undefined: the default for the source that answered ({instanceId} on IMDS). */
  readonly sessionName?: string | undefined;
  /** Seconds the user asked for; undefined: the 1-hour default. Chained hops are capped when the hop runs. */
  readonly duration?: number | "max" | undefined;
  readonly externalId?: string | undefined;
}

export interface ChainPlan {
  readonly source: SourceKind;
  readonly hops: readonly HopPlan[];
  /** Region given by flag or environment; undefined means "ask the source (IMDS), else us-east-1". */
  readonly region?: string | undefined;
}

/** What a source hands to the chain runner. */
export interface SourceResult {
  readonly kind: Exclude<SourceKind, "auto">;
  readonly credentials: Credentials;
  /** ARN of the identity these credentials act as, when known without a network call. */
  readonly callerArn?: string | undefined;
  /** Account and partition of that identity, for completing bare role names. */
  readonly accountId?: string | undefined;
  readonly partition?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly region?: string | undefined;
  /** True when the credentials are a role session (IMDS, or temporary credentials). */
  readonly isRoleSession: boolean;
}

export interface HopResult {
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly credentials: Credentials;
}

export interface ChainResult {
  readonly source: SourceResult;
  readonly hops: readonly HopResult[];
  readonly credentials: Credentials;
  /** The region STS was called in. */
  readonly region: string;
  /** The region from --region or the environment, if any. */
  readonly plannedRegion?: string | undefined;
  /** Role ARN of the final hop (the marker value); undefined when no hop ran. */
  readonly roleArn?: string | undefined;
}
