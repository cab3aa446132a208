import { BadAnswerError } from "../errors.js";
import type { ImdsConfig } from "../imds/imds-config.js";
import type { ImdsFacts } from "../imds/imds-facts.js";
import type { SourceResult, SourceWants } from "../types.js";
import { SourceSkipped } from "./source-skipped.js";
import { isoSeconds } from "../iso-seconds.js";

export interface ImdsSourceDeps {
  readonly config: ImdsConfig;
  readonly facts: ImdsFacts;
  readonly now: () => Date;
}

/**
 * The instance profile's role credentials: only what every IMDS serves (token, role listing, credentials).
 * Instance ID, region and account are handed on as lazy facts; what `wants` names is fetched alongside.
 */
export async function imdsSource(deps: ImdsSourceDeps, wants: SourceWants = {}): Promise<SourceResult> {
  if (deps.config.disabled) throw new SourceSkipped("IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
  const { facts } = deps;
  facts.prefetch(wants);
  const roleName = await facts.roleName();
  const credentials = await facts.credentials();
  const now = deps.now();
  if (credentials.expiration && credentials.expiration <= now) {
    // EC2 rotates instance credentials well before they expire: expired ones mean a clock or an IMDS out of step.
    throw new BadAnswerError(
      `IMDS at ${facts.endpoint} answered with credentials for ${roleName} that had already expired at ${isoSeconds(credentials.expiration)} (by this machine's clock ${isoSeconds(now)})`,
      { hint: "clock skew or a stuck metadata service: check this machine's clock (NTP: timedatectl, chrony), then run again" },
    );
  }
  return {
    kind: "imds",
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    },
    roleName,
    lazy: { instanceId: facts.instanceId, region: facts.region, account: facts.account },
  };
}
