import { NoCredentialsError } from "../errors.js";
import { partitionOfRegion } from "../plan/role-arn.js";
import type { Credentials, SourceWants } from "../types.js";
import { ImdsHttpError, type ImdsClient } from "./imds-client.js";
import { parseIdentityDocument, parseImdsCredentials, parseRoleListing, type IdentityDocument } from "./parse-imds.js";
import { parseIamInfo, parseInstanceId, parseRegion, type ImdsAccount } from "./parse-imds-facts.js";

const ROLE_LIST_PATH = "/latest/meta-data/iam/security-credentials/";
export const INSTANCE_ID_PATH = "/latest/meta-data/instance-id";
const REGION_PATH = "/latest/meta-data/placement/region";
export const IAM_INFO_PATH = "/latest/meta-data/iam/info";
/** Not served by every IMDS (moto and other emulators lack it): only a fallback. */
const IDENTITY_DOCUMENT_PATH = "/latest/dynamic/instance-identity/document";

export type ImdsCredentials = Credentials & { lastUpdated?: Date | undefined };

/**
 * What this run needs from IMDS, each fetched at most once and only when asked for. Every IMDS serves the
 * token, the role listing and the role's credentials; instance ID, region and account cost a request each.
 */
export interface ImdsFacts {
  readonly endpoint: string;
  /** The instance profile's role; exit 3 when the instance has none. */
  roleName(): Promise<string>;
  credentials(): Promise<ImdsCredentials>;
  instanceId(): Promise<string>;
  /** placement/region, else the identity document's; undefined when IMDS serves neither. */
  region(): Promise<string | undefined>;
  /** From iam/info's InstanceProfileArn, else the identity document; undefined when IMDS tells neither. */
  account(): Promise<ImdsAccount | undefined>;
  /** Start now, alongside the credentials, the requests for what the chain will need. */
  prefetch(wants: SourceWants): void;
}

export function createImdsFacts(client: ImdsClient): ImdsFacts {
  const roleName = once(async () => {
    const name = await client.get(ROLE_LIST_PATH).then(parseRoleListing, (err: unknown) => {
      if (err instanceof ImdsHttpError && err.status === 404) return undefined; // no instance profile attached
      throw err;
    });
    if (name === undefined) {
      throw new NoCredentialsError(`IMDS at ${client.endpoint} lists no role: this instance has no IAM instance profile`, {
        hint: "attach an instance profile to the instance, or pick another source with --source env",
      });
    }
    return name;
  });
  const credentials = once(async () => {
    const name = await roleName();
    return parseImdsCredentials(await client.get(ROLE_LIST_PATH + encodeURIComponent(name)), name);
  });
  // The instance ID, region and account are off the credentials' path: each is asked a turn of the event loop after
  // the token came, so that the role listing, asked at that moment too, goes out first on the connection the token
  // came on. A new connection costs the time to connect, and the credentials wait for the listing.
  const aside = async (path: string): Promise<string> => {
    await client.tokenState();
    await new Promise((resolve) => setImmediate(resolve));
    return client.get(path);
  };
  const identityDocument = once(
    (): Promise<IdentityDocument | undefined> => aside(IDENTITY_DOCUMENT_PATH).then(parseIdentityDocument, notServed(() => true)),
  );
  const instanceId = once(async () => parseInstanceId(await aside(INSTANCE_ID_PATH)));
  const region = once(async () => {
    const served = await aside(REGION_PATH).then(parseRegion, notServed((status) => status === 404));
    return served ?? (await identityDocument())?.region;
  });
  const account = once(async (): Promise<ImdsAccount | undefined> => {
    // Any error status: the account can still come from elsewhere, and is the same wherever it comes from.
    const info = await aside(IAM_INFO_PATH).then(parseIamInfo, notServed(() => true));
    if (info !== undefined) return info;
    const doc = await identityDocument();
    return doc === undefined ? undefined : { accountId: doc.accountId, partition: partitionOfRegion(doc.region) };
  });
  return {
    endpoint: client.endpoint,
    roleName,
    credentials,
    instanceId,
    region,
    account,
    prefetch: (wants) => {
      const started = [wants.instanceId && instanceId(), wants.region && region(), wants.account && account()];
      // Whoever needs the value awaits it (and its error) later; a prefetch alone must not be an unhandled rejection.
      for (const p of started) if (p) p.catch(() => undefined);
    },
  };
}

/** Memoise an async function: one call, one request, for the whole run. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

/** An error status for which `absent` holds means "not served here" (undefined); any other failure is rethrown. */
function notServed(absent: (status: number) => boolean): (err: unknown) => undefined {
  return (err) => {
    if (err instanceof ImdsHttpError && absent(err.status)) return undefined;
    throw err;
  };
}
