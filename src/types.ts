/** Credentials as every part of the tool passes them around. `expiration` is the raw value AWS gave. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

export type SourceKind = "auto" | "imds" | "env" | "profile" | "web-identity" | "container";
export const SOURCE_KINDS: readonly SourceKind[] = ["auto", "imds", "env", "profile", "web-identity", "container"];

/** Where a web-identity token comes from. */
export type WebIdentityToken =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "github" };

/**
 * The first credentials of a chain, as data. `auto`, `env`, `imds`, `container` are resolved from
 * the environment; the others come from a profile or from flags.
 */
export type SourcePlan =
  | { readonly kind: "auto" | "env" | "imds" | "container"; readonly profile?: string | undefined }
  | {
      readonly kind: "static";
      readonly profile: string;
      readonly credentials: Credentials;
      readonly accountId?: string | undefined;
    }
  | {
      /** Missing values come from the environment when the source runs (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, the CI's OIDC). */
      readonly kind: "web-identity";
      readonly roleArn?: string | undefined;
      readonly token?: WebIdentityToken | undefined;
      readonly sessionName?: string | undefined;
      readonly duration?: number | "max" | undefined;
      readonly profile?: string | undefined;
    }
  | { readonly kind: "process"; readonly profile: string; readonly command: string }
  | {
      readonly kind: "sso";
      readonly profile: string;
      /** The profile's SSO keys as written (sso_session, sso_start_url, sso_region, sso_account_id, sso_role_name). */
      readonly settings: Readonly<Record<string, string>>;
    };

/** A role named on the command line or in a profile: a full ARN, or a bare name completed at run time. */
export type RoleRef =
  | { readonly kind: "arn"; readonly arn: string }
  | { readonly kind: "name"; readonly name: string };

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** One sts:AssumeRole call, as planned before anything touches the network. */
export interface HopPlan {
  readonly role: RoleRef;
  /** Session-name template; undefined: the default for the source that answered ({instanceId} on IMDS). */
  readonly sessionName?: string | undefined;
  /** Seconds asked for; undefined: the 1-hour default. Chained hops are capped when the hop runs. */
  readonly duration?: number | "max" | undefined;
  readonly externalId?: string | undefined;
  /** MFA device serial or ARN; the code is asked for (or taken from --mfa-token) when the hop runs. */
  readonly mfaSerial?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly tags?: readonly Tag[] | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  /** Inline session policy (JSON text) and managed session policy ARNs. */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  /** The profile this hop came from, for messages and --dry-run. */
  readonly profile?: string | undefined;
}

export interface ChainPlan {
  readonly source: SourcePlan;
  readonly hops: readonly HopPlan[];
  /** Region given by flag, environment or profile; undefined means "ask the source (IMDS), else the partition default". */
  readonly region?: string | undefined;
}

/** What the chain will use of the source beyond its credentials, so that a source can fetch it alongside (IMDS). */
export interface SourceWants {
  readonly instanceId?: boolean | undefined;
  readonly region?: boolean | undefined;
  readonly account?: boolean | undefined;
}

/** Facts about the source that cost a request each: fetched once, and only when the chain calls for them. */
export interface SourceLazyFacts {
  readonly instanceId?: (() => Promise<string>) | undefined;
  /** Resolves undefined when the source cannot tell its region. */
  readonly region?: (() => Promise<string | undefined>) | undefined;
  /** Resolves undefined when the source cannot tell its account (then STS is asked). */
  readonly account?: (() => Promise<{ readonly accountId: string; readonly partition: string } | undefined>) | undefined;
}

/** What a source hands to the chain runner. */
export interface SourceResult {
  readonly kind: Exclude<SourceKind, "auto"> | "static" | "process" | "sso";
  readonly credentials: Credentials;
  /** A stable, non-secret name of these credentials' identity (cache keys): e.g. `imds:i-…:Role`, `key:AKIA…`. */
  readonly identityKey: string;
  /** ARN of the identity these credentials act as, when known without a network call. */
  readonly callerArn?: string | undefined;
  /** Account and partition of that identity, for completing bare role names. */
  readonly accountId?: string | undefined;
  readonly partition?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly region?: string | undefined;
  /** What the eager fields above leave out, on demand (IMDS: instance ID, region, account). */
  readonly lazy?: SourceLazyFacts | undefined;
  /**
   * True when the credentials are a role session (IMDS, web identity, assumed roles): AssumeRole with them is
   * role chaining. "unknown" for temporary keys from the environment (a role session or a GetSessionToken session).
   */
  readonly isRoleSession: boolean | "unknown";
}

export interface HopResult {
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly credentials: Credentials;
  /** True when the credentials came from the on-disk cache. */
  readonly cached?: boolean | undefined;
}

export interface ChainResult {
  readonly source: SourceResult;
  readonly hops: readonly HopResult[];
  readonly credentials: Credentials;
  /** The region STS was called in. */
  readonly region: string;
  /** The region from --region, the environment or the profile, if any. */
  readonly plannedRegion?: string | undefined;
  /** The region the source told (IMDS), asked only when none was planned. */
  readonly sourceRegion?: string | undefined;
  /** Role ARN of the final hop (the marker value); undefined when no hop ran. */
  readonly roleArn?: string | undefined;
}
