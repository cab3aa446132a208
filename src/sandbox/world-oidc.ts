/**
 * OIDC identity providers of a world file (for sts:AssumeRoleWithWebIdentity).
 *
 *   "oidcProviders": {
 *     "token.actions.githubusercontent.com": {
 *       "signingSecret": "…",              HS256 key the sandbox verifies token signatures with
 *       "clientIds": ["sts.amazonaws.com"], audiences IAM accepts (the provider's client ID list)
 *       "accounts": ["123456789012"]        accounts where the provider is registered in IAM
 *     }
 *   }
 *
 * The key is the provider URL without `https://`, as IAM names it: a token's `iss` claim must be
 * `https://<key>`. In an account listed under `accounts` the provider's ARN is
 * `arn:PARTITION:iam::ACCOUNT:oidc-provider/<key>`, which trust policies name as `Federated` principal.
 *
 * Real AWS verifies signatures (RS256/ES256 …) with the keys the issuer publishes at its JWKS URL
 * (`<iss>/.well-known/openid-configuration` → `jwks_uri`). The sandbox has no network, so a shared
 * HMAC secret per provider (HS256) stands in for that key set: whoever knows the secret can mint
 * tokens the sandbox accepts (test/fixtures/oidc/ does).
 */
import { childPath, expectObject, expectString, fail, rejectUnknownKeys, stringList } from "./shape.js";

export interface OidcProvider {
  /** The key: host[:port][/path], e.g. "token.actions.githubusercontent.com". */
  readonly name: string;
  /** `https://<name>`: the `iss` claim tokens of this provider carry. */
  readonly issuer: string;
  readonly signingSecret: string;
  readonly clientIds: readonly string[];
  readonly accounts: readonly string[];
}

const PROVIDER_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[\w.~-]+)*$/;
const KEYS = ["$comment", "signingSecret", "clientIds", "accounts"];

export function parseOidcProviders(json: unknown, accountIds: readonly string[]): Record<string, OidcProvider> {
  if (json === undefined) return {};
  const obj = expectObject(json, "", "oidcProviders");
  const providers: Record<string, OidcProvider> = {};
  for (const [name, value] of Object.entries(obj)) {
    const path = childPath("oidcProviders", name);
    if (!PROVIDER_NAME.test(name)) fail(path, "provider name must be a URL without https:// (host[:port][/path], lower case)");
    const p = expectObject(value, path, "OIDC provider");
    rejectUnknownKeys(p, KEYS, path);
    const signingSecret = expectString(p, "signingSecret", path, { min: 16, max: 512 });
    if (p["clientIds"] === undefined) fail(path, "clientIds is required");
    const clientIds = stringList(p["clientIds"], "clientIds", path);
    if (p["accounts"] === undefined) fail(path, "accounts is required");
    const accounts = stringList(p["accounts"], "accounts", path);
    for (const id of accounts) {
      if (!accountIds.includes(id)) fail(path, `accounts: ${id} is not one of the accounts`);
    }
    providers[name] = { name, issuer: `https://${name}`, signingSecret, clientIds, accounts };
  }
  return providers;
}

/** The IAM ARN of a provider registered in an account. */
export function oidcProviderArn(partition: string, accountId: string, provider: OidcProvider): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${provider.name}`;
}

/** The provider a token's `iss` names (`https://` + name; a trailing slash is tolerated). */
export function findOidcProvider(
  providers: Readonly<Record<string, OidcProvider>>,
  issuer: string,
): OidcProvider | undefined {
  if (!issuer.startsWith("https://")) return undefined;
  const name = issuer.slice("https://".length).replace(/\/$/, "");
  return Object.hasOwn(providers, name) ? providers[name] : undefined;
}
