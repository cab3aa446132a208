import { ConfigError, NoCredentialsError } from "../errors.js";
import type { SourcePlan, SourceResult, SourceWants } from "../types.js";
import { MARKER_KEY_ID, MARKER_ROLE_ARN } from "../markers.js";
import { envSource } from "./env-source.js";
import { SourceSkipped } from "./source-skipped.js";

type WebIdentityPlan = Extract<SourcePlan, { kind: "web-identity" }>;
type ProcessPlan = Extract<SourcePlan, { kind: "process" }>;
type SsoPlan = Extract<SourcePlan, { kind: "sso" }>;
type StaticPlan = Extract<SourcePlan, { kind: "static" }>;

/** One provider per kind of source; each throws SourceSkipped when it is not configured here. */
export interface SourceProviders {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `wants`: what the chain will ask of the source besides credentials (fetched alongside them). */
  readonly imds: (wants?: SourceWants) => Promise<SourceResult>;
  readonly container: () => Promise<SourceResult>;
  /** Web identity from a plan, or (no plan) from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN / the CI's OIDC variables. */
  readonly webIdentity: (plan?: WebIdentityPlan) => Promise<SourceResult>;
  readonly process: (plan: ProcessPlan) => Promise<SourceResult>;
  readonly sso: (plan: SsoPlan) => Promise<SourceResult>;
  readonly debug: (line: string) => void;
  readonly warn?: ((line: string) => void) | undefined;
}

/**
 * The documented order of `auto`; the first source configured here wins:
 *   1. env           AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (not keys a previous assume-role run exported);
 *   2. web-identity  AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA, any OIDC), or GitHub Actions' OIDC
 *                    (ACTIONS_ID_TOKEN_REQUEST_URL + _TOKEN, i.e. `permissions: id-token: write`) + AWS_ROLE_ARN;
 *   3. container     AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI (ECS, CodeBuild, EKS Pod Identity);
 *   4. imds          the EC2 instance profile (unless AWS_EC2_METADATA_DISABLED=true).
 * The AWS SDKs' default chains use the same relative order.
 */
export const AUTO_ORDER = ["env", "web-identity", "container", "imds"] as const;
type AutoKind = (typeof AUTO_ORDER)[number];

export async function resolveSource(plan: SourcePlan, p: SourceProviders, wants: SourceWants = {}): Promise<SourceResult> {
  switch (plan.kind) {
    case "auto":
      return resolveAuto(p, wants, plan.profile);
    case "env":
    case "imds":
    case "container":
      // A profile's credential_source = Environment must not chain from a previous run's exports either.
      return explicit(plan.kind, () => attempt(plan.kind as AutoKind, p, plan.profile !== undefined, wants), plan.profile, p.env);
    case "web-identity":
      return explicit(plan.kind, () => p.webIdentity(plan), plan.profile);
    case "static":
      return staticSource(plan);
    case "process":
      return explicit(plan.kind, () => p.process(plan), plan.profile);
    case "sso":
      return explicit(plan.kind, () => p.sso(plan), plan.profile);
  }
}

function attempt(kind: AutoKind, p: SourceProviders, auto: boolean, wants: SourceWants): Promise<SourceResult> {
  switch (kind) {
    case "env":
      return Promise.resolve().then(() => envSource(p.env, { skipOwnExports: auto, warn: p.warn }));
    case "web-identity":
      return p.webIdentity();
    case "container":
      return p.container();
    case "imds":
      return p.imds(wants);
  }
}

async function explicit(kind: string, run: () => Promise<SourceResult>, profile?: string, env: SourceProviders["env"] = {}): Promise<SourceResult> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof SourceSkipped)) throw err;
    const origin = profile === undefined ? `--source ${kind}` : `profile ${profile} (${kind})`;
    throw withOwnExportsHint(new NoCredentialsError(`${origin}: ${err.reason}`), env);
  }
}

/** `settingsOf`: the selected profile, which holds only settings (the SDKs then take credentials from this chain). */
async function resolveAuto(p: SourceProviders, wants: SourceWants, settingsOf?: string): Promise<SourceResult> {
  const skipped: string[] = [];
  for (const kind of AUTO_ORDER) {
    try {
      const result = await attempt(kind, p, true, wants);
      p.debug(`source: ${kind}`);
      return result;
    } catch (err) {
      if (!(err instanceof SourceSkipped)) throw withOwnExportsHint(err, p.env);
      p.debug(`source: skipping ${kind}: ${err.reason}`);
      skipped.push(err.reason);
    }
  }
  const why = settingsOf === undefined ? "" : ` (profile ${settingsOf} holds only settings, so the default chain was tried)`;
  const profileHint = settingsOf === undefined ? "pass --profile" : `give profile ${settingsOf} credentials`;
  throw new NoCredentialsError(`no source credentials${why}: ${skipped.join("; ")}`, {
    hint: `export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ${profileHint}, or run on EC2 with an instance profile`,
  });
}

/**
 * A previous run replaced the user's own keys with its exports, and nothing else answers (off EC2): say so,
 * instead of advising `--source env`, which would chain from those exports.
 */
function withOwnExportsHint(err: unknown, env: SourceProviders["env"]): unknown {
  const own = env[MARKER_KEY_ID] !== undefined && env[MARKER_KEY_ID] === env.AWS_ACCESS_KEY_ID;
  if (!own || !(err instanceof NoCredentialsError)) return err;
  return new NoCredentialsError(err.message, {
    cause: err,
    hint:
      `the environment holds a previous run's exports (${MARKER_ROLE_ARN}=${env[MARKER_ROLE_ARN] ?? "?"}), which replaced your own keys; ` +
      `run eval "$(assume-role unset)", export your keys again, then run assume-role (or chain from the exports on purpose with --source env)`,
  });
}

function staticSource(plan: StaticPlan): SourceResult {
  const c = plan.credentials;
  if (!c.accessKeyId || !c.secretAccessKey) {
    throw new ConfigError(`profile ${plan.profile}: aws_access_key_id and aws_secret_access_key must both be set`);
  }
  return {
    kind: "static",
    credentials: c,
    accountId: plan.accountId,
  };
}
