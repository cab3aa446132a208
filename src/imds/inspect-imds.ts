import { NoCredentialsError } from "../errors.js";
import type { CallerIdentity } from "../sts/sts-api.js";
import type { Credentials } from "../types.js";
import { ImdsHttpError, type ImdsClient, type NoToken } from "./imds-client.js";
import { IAM_INFO_PATH, INSTANCE_ID_PATH, type ImdsFacts } from "./imds-facts.js";
import { parseInstanceProfile, type InstanceProfileInfo } from "./parse-imds-facts.js";

/** One thing asked of IMDS (or STS): its value, or why it could not be had. */
export type Item<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

/** The session token: issued, or why not (no answer to the PUT: a container behind hop limit 1). */
export type TokenItem = Item<{ readonly issued: true } | ({ readonly issued: false } & NoToken)>;

/** What a GET without a token got: refused with 401 (IMDSv2 enforced), answered (v1 allowed), or something else. */
export type V2Enforced = { readonly enforced: true } | { readonly enforced: false } | { readonly enforced: undefined; readonly why: string };

export interface ServedCredentials {
  readonly lastUpdated: Date | undefined;
  readonly expiration: Date | undefined;
}

/** What the metadata service serves, item by item; each item that could not be fetched says why. */
export interface ImdsInspection {
  readonly endpoint: string;
  readonly token: TokenItem;
  readonly v2: V2Enforced;
  readonly instanceId: Item<string>;
  readonly region: Item<string>;
  readonly instanceProfile: Item<InstanceProfileInfo>;
  /** The role IMDS lists under iam/security-credentials/. */
  readonly role: Item<string>;
  readonly credentials: Item<ServedCredentials>;
  /** Who STS says the served credentials are (GetCallerIdentity signed with them). */
  readonly identity: Item<CallerIdentity>;
}

export interface InspectDeps {
  readonly client: ImdsClient;
  readonly facts: ImdsFacts;
  /** The STS region from the environment (AWS_REGION, ...); else the instance's, else us-east-1. */
  readonly region: string | undefined;
  /** GetCallerIdentity signed with `credentials`. */
  readonly whoIs: (credentials: Credentials, region: string) => Promise<CallerIdentity>;
}

/**
 * Ask IMDS everything it tells about the instance's role, then STS who the served credentials are. Nothing that
 * fails is fatal except IMDS not answering at all (exit 3, as every command that needs IMDS).
 */
export async function inspectImds(deps: InspectDeps): Promise<ImdsInspection> {
  const { client, facts } = deps;
  const token = await settle(client.tokenState());
  if (!token.ok && client.missingToken === undefined && !client.hasAnswered) throw token.error; // connection refused, ...
  const tokenItem: TokenItem = token.ok || client.missingToken === undefined ? token : { ok: true, value: { issued: false, ...client.missingToken } };
  const credentials = settle(facts.credentials());
  const [v2, instanceId, region, instanceProfile, role, served] = await Promise.all([
    client.getWithoutToken(INSTANCE_ID_PATH).then(v2Enforced),
    settle(facts.instanceId()),
    settle(facts.region().then((r) => r ?? Promise.reject(new Error("IMDS serves neither placement/region nor an identity document")))),
    settle(client.get(IAM_INFO_PATH).then(parseInstanceProfile, noProfile).then((p) => p ?? Promise.reject(NO_PROFILE))),
    settle(facts.roleName()),
    credentials,
  ]);
  if (!client.hasAnswered) {
    // Nothing answered: the error every item got (IMDS could not be reached ...), as any command reports it.
    throw instanceId.ok ? new NoCredentialsError(`IMDS at ${client.endpoint} did not answer`) : instanceId.error;
  }
  const stsRegion = deps.region ?? (region.ok ? region.value : "us-east-1");
  const identity = served.ok ? await settle(deps.whoIs(served.value, stsRegion)) : { ok: false as const, error: new Error("no credentials to ask STS about") };
  return {
    endpoint: client.endpoint,
    token: tokenItem,
    v2,
    instanceId,
    region,
    instanceProfile,
    role,
    credentials: served.ok ? { ok: true, value: { lastUpdated: served.value.lastUpdated, expiration: served.value.expiration } } : served,
    identity,
  };
}

const NO_PROFILE = new Error("IMDS describes no instance profile (iam/info): none is attached to this instance");

/** iam/info answers 404 on an instance without an instance profile. */
function noProfile(err: unknown): undefined {
  if (err instanceof ImdsHttpError && err.status === 404) return undefined;
  throw err;
}

function v2Enforced(outcome: Awaited<ReturnType<ImdsClient["getWithoutToken"]>>): V2Enforced {
  if (outcome.kind !== "response") return { enforced: undefined, why: outcome.kind === "timeout" ? "no answer to a GET without a token" : `a GET without a token failed (${outcome.kind === "error" ? outcome.code : "oversized answer"})` };
  if (outcome.status === 401) return { enforced: true };
  if (outcome.status === 200) return { enforced: false };
  return { enforced: undefined, why: `a GET without a token was answered HTTP ${outcome.status}` };
}

function settle<T>(p: Promise<T>): Promise<Item<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, error: err instanceof Error ? err : new Error(String(err)) }),
  );
}
