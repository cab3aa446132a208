/**
 * sts:AssumeRoleWithWebIdentity (unsigned): model validation; the token must be a JWT whose `iss`
 * is an OIDC provider registered in the role's account, signed with that provider's secret, not
 * expired on the sandbox clock, carrying a `sub` and an audience in the provider's client IDs; then
 * the role's trust policy must allow sts:AssumeRoleWithWebIdentity to the provider (Principal
 * Federated) with its conditions on `HOST:aud` / `HOST:sub`; then the role's MaxSessionDuration.
 * Not role chaining: 900 s up to the role's maximum. The session it issues is an ordinary role
 * session, so AssumeRole signed with it is chaining (1-hour cap).
 */
import type { IssuedSession } from "./issued-credentials.js";
import { audiences, decodeJwt, numericDate, verifyHs256 } from "./oidc-token.js";
import { evaluatePolicy, type RequestContext } from "./policy.js";
import type { AssumeRoleContext } from "./sts-assume-role.js";
import { stsErrors } from "./sts-errors.js";
import { parseWebIdentityParams } from "./sts-validate.js";
import { findOidcProvider, oidcProviderArn } from "./world-oidc.js";
import { findRoleByArn } from "./world.js";

export interface WebIdentitySession {
  readonly session: IssuedSession;
  readonly subject: string;
  readonly audience: string;
  /** The token's `iss`. */
  readonly provider: string;
}

const ACTION = "sts:AssumeRoleWithWebIdentity";
/** AWS tolerates a little clock skew on `nbf`/`iat` in the future; so does the sandbox. */
const SKEW_SECONDS = 300;

export function assumeRoleWithWebIdentity(ctx: AssumeRoleContext, form: Readonly<Record<string, string>>): WebIdentitySession {
  const params = parseWebIdentityParams(form);
  if (params.policy !== undefined) {
    try {
      JSON.parse(params.policy);
    } catch {
      throw stsErrors.malformedPolicy("Syntax errors in policy.");
    }
  }
  const jwt = decodeJwt(params.webIdentityToken);
  if (jwt === undefined) {
    throw stsErrors.invalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
  }
  const issuer = jwt.claims["iss"];
  if (typeof issuer !== "string") throw stsErrors.invalidIdentityToken("Missing a required claim: iss");
  const roleAccount = /^arn:[\w-]+:iam::(\d{12}):role\//.exec(params.roleArn)?.[1];
  const provider = findOidcProvider(ctx.world.oidcProviders, issuer);
  if (provider === undefined || roleAccount === undefined || !provider.accounts.includes(roleAccount)) {
    throw stsErrors.invalidIdentityToken(`No OpenIDConnect provider found in your account for ${issuer}`);
  }
  if (!verifyHs256(jwt, provider.signingSecret)) {
    throw stsErrors.invalidIdentityToken("The web identity token's signature could not be verified with the provider's keys");
  }
  const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
  const exp = numericDate(jwt.claims, "exp");
  if (exp === undefined) throw stsErrors.invalidIdentityToken("Missing a required claim: exp");
  if (nowSeconds >= exp) {
    throw stsErrors.expiredWebIdentityToken(
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${exp}`,
    );
  }
  const notBefore = numericDate(jwt.claims, "nbf") ?? numericDate(jwt.claims, "iat");
  if (notBefore !== undefined && notBefore > nowSeconds + SKEW_SECONDS) {
    throw stsErrors.idpRejectedClaim("Token is not valid yet: its nbf/iat is in the future");
  }
  const subject = jwt.claims["sub"];
  if (typeof subject !== "string" || subject === "") throw stsErrors.invalidIdentityToken("Missing a required claim: sub");
  const audience = audiences(jwt.claims).find((a) => provider.clientIds.includes(a));
  if (audience === undefined) throw stsErrors.invalidIdentityToken("Incorrect token audience");

  const role = findRoleByArn(ctx.world, params.roleArn);
  const federated = oidcProviderArn(ctx.world.partition, roleAccount, provider);
  const request: RequestContext = {
    action: ACTION,
    resource: params.roleArn,
    principal: { type: "WebIdentity", federated },
    keys: {
      [`${provider.name}:aud`]: audience,
      [`${provider.name}:sub`]: subject,
      "aws:FederatedProvider": federated,
      "aws:CurrentTime": ctx.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      "aws:EpochTime": String(nowSeconds),
      "sts:RoleSessionName": params.roleSessionName,
    },
  };
  if (role === undefined || evaluatePolicy(role.trustPolicy, request) !== "Allow") {
    throw stsErrors.accessDenied(`Not authorized to perform ${ACTION}`);
  }
  const durationSeconds = params.durationSeconds ?? 3600;
  if (durationSeconds > role.maxSessionDuration) {
    throw stsErrors.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  const session = ctx.issued.issue({
    role,
    partition: ctx.world.partition,
    sessionName: params.roleSessionName,
    issuedAt: ctx.now,
    durationSeconds,
    origin: "sts",
  });
  return { session, subject, audience, provider: issuer };
}
