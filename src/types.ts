import type { AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import type { MfaCommand, SessionPlan, SessionResult } from "./session-types.js";

export { isSessionResult, type MfaCommand, type SessionPlan, type SessionResult, type StepResult } from "./session-types.js";

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
  /** `profile`: the profile's credential_source; for `auto`, the selected profile that holds only settings. */
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
  /** Seconds asked for; undefined: the 1-hour default. Chained hops are capped by the plan. */
  readonly duration?: number | "max" | undefined;
  /** Where `duration` came from, for the warning when it is capped: `--duration`, `duration_seconds of profile X`. */
  readonly durationOrigin?: string | undefined;
  readonly externalId?: string | undefined;
  /** MFA device serial or ARN; the code is asked for (or taken from --mfa-token) when the hop runs. */
  readonly mfaSerial?: string | undefined;
  /** The profile's mfa_process: a command that prints the code. */
  readonly mfaProcess?: MfaCommand | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly tags?: readonly Tag[] | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  /** Inline session policy (JSON text) and managed session policy ARNs. */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  /** The profile this hop came from, for messages and --dry-run. */
  readonly profile?: string | undefined;
}

/**
 * The AssumeRole parameters of one hop besides RoleArn, RoleSessionName and TokenCode, exactly as the SDK
 * names and sends them: the plan fills them once, the chain passes them to STS and to the cache key untouched.
 */
export type HopParams = Readonly<Omit<AssumeRoleCommandInput, "RoleArn" | "RoleSessionName" | "TokenCode">> & {
  readonly DurationSeconds: number;
};

/** One sts:AssumeRole call with every decision made (design §4): the chain runs it and decides nothing. */
export interface Hop {
  readonly role: RoleRef;
  /** RoleSessionName template: the hop's own, else the CI run, else {instanceId} from IMDS, else {user}@{host}. */
  readonly sessionTemplate: string;
  /** Its caller is a role session (AWS caps the session at 1 h). Known from the source's kind. */
  readonly chained: boolean;
  readonly params: HopParams;
  /** The duration as asked (flag or profile), before the plan capped or defaulted it: for --dry-run. */
  readonly askedDuration?: number | "max" | undefined;
  /** `max` on a hop that is not chained asks for 12 h; a role that allows less is asked again for this (1 h). */
  readonly durationFallback?: number | undefined;
  /** With SerialNumber: the command that prints the code (--mfa-process, else the profile's mfa_process). */
  readonly mfaProcess?: MfaCommand | undefined;
  /** The profile this hop came from, for messages and --dry-run. */
  readonly profile?: string | undefined;
}

/** Where STS is called: a region given by flag, environment or profile; the instance's region; or the partition's default. */
export type RegionPlan =
  | { readonly kind: "set"; readonly region: string; readonly origin: string }
  | { readonly kind: "imds"; readonly fallback: string }
  | { readonly kind: "default"; readonly region: string };

/** What a source will be when the chain runs: `auto` decided from the environment as the runner decides it. */
export type EffectiveSource = Exclude<SourcePlan["kind"], "auto">;

export interface ChainPlan {
  readonly source: SourcePlan;
  readonly effectiveSource: EffectiveSource;
  /** GetSessionToken with MFA between the source and the first hop (the source's profile has mfa_serial). */
  readonly session?: SessionPlan | undefined;
  readonly hops: readonly Hop[];
  readonly region: RegionPlan;
  /** Lines to print on stderr before running (a capped duration, naming where it came from). */
  readonly warnings: readonly string[];
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
  /** ARN of the identity these credentials act as, when known without a network call. */
  readonly callerArn?: string | undefined;
  /** Account and partition of that identity, for completing bare role names. */
  readonly accountId?: string | undefined;
  readonly partition?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly region?: string | undefined;
  /** IMDS: the role the instance profile lists (for whoami --chain). */
  readonly roleName?: string | undefined;
  /** What the eager fields above leave out, on demand (IMDS: instance ID, region, account). */
  readonly lazy?: SourceLazyFacts | undefined;
}

export interface HopResult {
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly credentials: Credentials;
  /** The region STS was called in for this hop. */
  readonly region: string;
  /** That region, when it was configured or the instance's (not a partition default): what a run exports. */
  readonly exportRegion?: string | undefined;
  /** True when the credentials came from the on-disk cache. */
  readonly cached?: boolean | undefined;
}

export interface ChainResult {
  /** The hops that ran or came from the cache, in order; the last is the final hop. A cache hit on the final hop is alone. */
  readonly hops: readonly HopResult[];
  /** The source's credentials when it was asked (always, for a chain without hops); undefined on a cache hit. */
  readonly source?: SourceResult | undefined;
  /** The MFA session, when the plan has one and it was needed (from STS or the cache). */
  readonly session?: SessionResult | undefined;
  readonly credentials: Credentials;
  /** The region STS was called in. */
  readonly region: string;
  /** The region to export: configured or the instance's, never a partition default. */
  readonly exportRegion?: string | undefined;
  /** Role ARN of the final hop (the marker value); undefined when there is no hop. */
  readonly roleArn?: string | undefined;
  /** The chain as the plan names it: the source, then each hop's role (the ASSUME_ROLE_CHAIN marker); runChain always sets it. */
  readonly path?: ChainPath | undefined;
  /**
   * Only when the chain was asked to explain itself (ChainDeps.peekHop): the hops before `hops` that were not needed
   * because a later hop came from the cache, each as the cache holds it (`result` undefined when it holds none).
   */
  readonly earlier?: readonly EarlierHop[] | undefined;
}

/** Where a chain starts (`imds`, `env`, `profile:dev`, ...) and each hop's role ARN (or the bare name as planned). */
export interface ChainPath {
  readonly source: string;
  readonly roles: readonly string[];
}

export interface EarlierHop {
  /** The role as planned (an ARN or a bare name). */
  readonly label: string;
  readonly result?: HopResult | undefined;
}
