import { BadAnswerError, NoCredentialsError } from "../errors.js";
import { ImdsClient, ImdsHttpError } from "../imds/imds-client.js";
import type { ImdsConfig } from "../imds/imds-config.js";
import { parseIdentityDocument, parseImdsCredentials, parseRoleListing } from "../imds/parse-imds.js";
import { partitionOfRegion } from "../plan/role-arn.js";
import type { SourceResult } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";

const ROLE_LIST = "/latest/meta-data/iam/security-credentials/";
const IDENTITY = "/latest/dynamic/instance-identity/document";

export interface ImdsSourceDeps {
  readonly config: ImdsConfig;
  readonly client: ImdsClient;
  readonly now: () => Date;
  readonly warn: (line: string) => void;
}

/** The instance profile's role credentials, with the instance ID, account and region from the identity document. */
export async function imdsSource(deps: ImdsSourceDeps): Promise<SourceResult> {
  if (deps.config.disabled) throw new SourceSkipped("IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
  const { client } = deps;
  const identityPromise = client.get(IDENTITY).then(parseIdentityDocument);
  identityPromise.catch(() => {});
  const roleName = await client.get(ROLE_LIST).then(parseRoleListing, (err: unknown) => {
    if (err instanceof ImdsHttpError && err.status === 404) return undefined; // no instance profile attached
    throw err;
  });
  if (roleName === undefined) {
    throw new NoCredentialsError(`IMDS at ${client.endpoint} lists no role: this instance has no IAM instance profile`, {
      hint: "attach an instance profile to the instance, or pick another source with --source env",
    });
  }
  const [credentials, identity] = await Promise.all([
    client.get(ROLE_LIST + encodeURIComponent(roleName)).then((body) => parseImdsCredentials(body, roleName)),
    identityPromise,
  ]);
  const now = deps.now();
  if (credentials.expiration && credentials.expiration <= now) {
    // EC2 rotates instance credentials well before they expire: expired ones mean a clock or an IMDS out of step.
    throw new BadAnswerError(
      `IMDS at ${client.endpoint} answered with credentials for ${roleName} that had already expired at ${iso(credentials.expiration)} (by this machine's clock ${iso(now)})`,
      { hint: "clock skew or a stuck metadata service: check this machine's clock (NTP: timedatectl, chrony), then run again" },
    );
  }
  const partition = partitionOfRegion(identity.region);
  return {
    kind: "imds",
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    },
    callerArn: `arn:${partition}:sts::${identity.accountId}:assumed-role/${roleName}/${identity.instanceId}`,
    accountId: identity.accountId,
    partition,
    instanceId: identity.instanceId,
    region: identity.region,
  };
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
