/**
 * Source `web-identity`: the first credentials come from sts:AssumeRoleWithWebIdentity (unsigned),
 * presenting an OIDC token. Configuration, most explicit first:
 *   role:    the plan's roleArn (first ROLE, or a profile's role_arn), else AWS_ROLE_ARN;
 *   token:   the plan's token (--web-identity-token-file / --web-identity-token-env / a profile's
 *            web_identity_token_file), else AWS_WEB_IDENTITY_TOKEN_FILE, else GitHub Actions' OIDC
 *            endpoint (ACTIONS_ID_TOKEN_REQUEST_URL + _TOKEN, audience sts.amazonaws.com);
 *   session: the plan's session name (template), else AWS_ROLE_SESSION_NAME, else the CI run
 *            (gh-RUN-ATTEMPT-REPO / gl-PIPELINE-JOB-PROJECT), else {user}@{host}.
 * Not configured: SourceSkipped in `auto`, a NoCredentialsError with a hint when asked for by name.
 */
import { AccessDeniedError, CliError, ConfigError, NetworkError, NoCredentialsError } from "../errors.js";
import { decideDuration } from "../plan/parse-duration.js";
import { parseRoleArn } from "../plan/role-arn.js";
import { localNames, OTHER_DEFAULT_TEMPLATE, renderSessionName, sessionTime } from "../plan/session-name.js";
import { mapStsError } from "../sts/map-sts-error.js";
import type { StsFactory } from "../sts/sts-api.js";
import { regionalStsEndpoint } from "../sts/sts-endpoint.js";
import type { SourcePlan, SourceResult, WebIdentityToken } from "../types.js";
import { detectCi, githubOidcAvailable } from "../ci-identity.js";
import { SourceSkipped } from "./source-skipped.js";
import { describeTokenSource, readWebIdentityToken, unverifiedClaims, type TokenDeps } from "./web-identity-token.js";
import { nonBlank } from "../non-blank.js";

export type WebIdentityPlan = Extract<SourcePlan, { kind: "web-identity" }>;

export interface WebIdentityDeps extends TokenDeps {
  readonly sts: StsFactory;
  /** AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, when set. */
  readonly stsEndpoint?: string | undefined;
  /** The STS region the plan chose. */
  readonly region: string;
  readonly user: string;
  readonly host: string;
  readonly now: () => Date;
}

interface Resolved {
  readonly roleArn: string;
  readonly token: WebIdentityToken;
  readonly origin: string;
}

export async function webIdentitySource(plan: WebIdentityPlan | undefined, deps: WebIdentityDeps): Promise<SourceResult> {
  const { roleArn, token, origin } = resolveConfig(plan, deps.env);
  const role = parseRoleArn(roleArn)!;
  const region = deps.region;
  // The plan decided the template (its own, AWS_ROLE_SESSION_NAME, the CI run, {user}@{host}) and the duration.
  const roleSessionName = renderSessionName(plan?.sessionName ?? OTHER_DEFAULT_TEMPLATE, Object.assign(localNames(deps), {
    accountId: role.accountId,
    region,
    role: role.name,
    hop: "0",
    time: sessionTime(deps.now()),
  }));
  const durationSeconds = decideDuration(plan?.duration, false).seconds;
  const webIdentityToken = await readWebIdentityToken(token, origin, deps);
  const claims = unverifiedClaims(webIdentityToken);
  const subject = typeof claims?.["sub"] === "string" ? claims["sub"] : "unknown-subject";
  const endpoint = deps.stsEndpoint ?? regionalStsEndpoint(region);
  deps.debug(`web-identity: AssumeRoleWithWebIdentity ${roleArn} as ${roleSessionName} for ${durationSeconds} s, token from ${origin} (sub ${subject})`);
  const sts = deps.sts({ region, endpoint: deps.stsEndpoint, debug: deps.debug });
  let out;
  try {
    out = await sts.assumeRoleWithWebIdentity({ roleArn, roleSessionName, webIdentityToken, durationSeconds });
  } catch (err) {
    throw mapWebIdentityError(err, { roleArn, endpoint, origin, claims, github: token.kind === "github" });
  }
  return {
    kind: "web-identity",
    credentials: out.credentials,
    callerArn: out.assumedRoleArn,
    accountId: role.accountId,
    partition: role.partition,
  };
}

/** Pure: which role and which token, or why web identity is not configured here. */
export function resolveConfig(plan: WebIdentityPlan | undefined, env: Readonly<Record<string, string | undefined>>): Resolved {
  const explicit = plan !== undefined;
  const asked = plan?.profile === undefined ? "--source web-identity" : `profile ${plan.profile} (web identity)`;
  const envFile = nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const token: WebIdentityToken | undefined =
    plan?.token ?? (envFile !== undefined ? { kind: "file", path: envFile } : githubOidcAvailable(env) ? { kind: "github" } : undefined);
  if (token === undefined) {
    const reason = "AWS_WEB_IDENTITY_TOKEN_FILE is not set and no GitHub Actions OIDC token is offered (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN)";
    if (!explicit) throw new SourceSkipped(reason);
    const hint =
      detectCi(env) === "github"
        ? "the workflow (or job) needs `permissions: id-token: write` for GitHub to issue OIDC tokens"
        : "pass --web-identity-token-file PATH or --web-identity-token-env VAR, or set AWS_WEB_IDENTITY_TOKEN_FILE";
    throw new NoCredentialsError(`${asked}: no token: ${reason}`, { hint });
  }
  const origin = describeTokenSource(token, plan?.token === undefined && token.kind === "file");
  const roleArn = plan?.roleArn ?? nonBlank(env.AWS_ROLE_ARN);
  if (roleArn === undefined) {
    const reason = `a web identity token is available (${origin}) but AWS_ROLE_ARN is not set`;
    if (!explicit) throw new SourceSkipped(reason);
    throw new NoCredentialsError(`${asked}: ${reason}`, {
      hint: "set AWS_ROLE_ARN, or give the role's ARN as the first ROLE",
    });
  }
  if (parseRoleArn(roleArn) === undefined) {
    const from = plan?.roleArn === undefined ? "AWS_ROLE_ARN" : "web identity role";
    throw new ConfigError(`${from} '${roleArn}' is not a role ARN: expected arn:PARTITION:iam::ACCOUNT:role/NAME`);
  }
  return { roleArn, token, origin };
}

interface ErrorContext {
  readonly roleArn: string;
  readonly endpoint: string;
  readonly origin: string;
  readonly claims: Record<string, unknown> | undefined;
  readonly github: boolean;
}

/** STS's web-identity errors → what the user must fix; the rest as for any STS call. Never shows the token. */
export function mapWebIdentityError(err: unknown, c: ErrorContext): Error {
  if (err instanceof CliError) return err;
  const e = (err ?? {}) as { name?: string; Code?: string; message?: string };
  const code = (e.Code ?? e.name ?? "").replace(/Exception$/, "");
  const aws = e.message ?? "";
  const iss = claim(c.claims, "iss");
  const host = iss.replace(/^https:\/\//, "").replace(/\/$/, "");
  const account = parseRoleArn(c.roleArn)?.accountId ?? "ACCOUNT";
  const claimsText = `iss ${iss}, aud ${claim(c.claims, "aud")}, sub ${claim(c.claims, "sub")}`;
  switch (code) {
    case "InvalidIdentityToken":
      return new NoCredentialsError(`STS rejected the web identity token from ${c.origin} for ${c.roleArn}: ${aws}`, {
        hint: /audience/i.test(aws)
          ? `request the token for audience sts.amazonaws.com and list that audience as a client ID of the IAM OIDC provider for ${iss}`
          : `account ${account} needs an IAM OIDC provider for the token's issuer ${iss}, and the token must be a valid ID token of it (${claimsText})`,
        cause: err,
      });
    case "ExpiredToken":
      return new NoCredentialsError(`the web identity token from ${c.origin} has expired (${aws})`, {
        hint: c.github
          ? "GitHub OIDC tokens are short-lived: request the token right before use (re-run the job)"
          : "the token must be fresh: whoever writes it (EKS: the kubelet; CI: the job) must renew it before its exp claim",
        cause: err,
      });
    case "IDPRejectedClaim":
      return new NoCredentialsError(`the identity provider's claims were rejected for ${c.roleArn}: ${aws}`, {
        hint: `check the token's claims (${claimsText}) and the clock of the machine that issued it`,
        cause: err,
      });
    case "IDPCommunicationError":
      return new NetworkError(`STS could not reach the identity provider ${iss} to verify the token: ${aws}`, {
        hint: "the provider's keys (JWKS) must be reachable from AWS; retry later",
        cause: err,
      });
    case "AccessDenied":
      return new AccessDeniedError(`access denied: the web identity ${claim(c.claims, "sub")} (${iss}) may not assume ${c.roleArn}`, {
        hint: [
          `the trust policy of ${c.roleArn} must allow sts:AssumeRoleWithWebIdentity for`,
          `  Principal {"Federated": "arn:aws:iam::${account}:oidc-provider/${host}"}`,
          `  with conditions on "${host}:aud" and "${host}:sub" that this token meets (${claimsText})`,
          ...(c.github ? ["  (GitHub: sub looks like repo:OWNER/REPO:ref:refs/heads/BRANCH or repo:OWNER/REPO:environment:NAME)"] : []),
        ].join("\n"),
        cause: err,
      });
    default:
      return mapStsError(err, { operation: "AssumeRoleWithWebIdentity", endpoint: c.endpoint, roleArn: c.roleArn });
  }
}

function claim(claims: Record<string, unknown> | undefined, name: string): string {
  const value = claims?.[name];
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === "string").join(",");
  return "?";
}

