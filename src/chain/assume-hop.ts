import type { AssumeRoleInput, AssumeRoleOutput, StsFactory } from "../sts/sts-api.js";
import type { Credentials } from "../types.js";

/** One AssumeRole call as the chain runner hands it to whatever performs it (STS, or a cache in front of STS). */
export interface HopCall {
  readonly caller: Credentials;
  readonly region: string;
  readonly endpoint?: string | undefined;
  /** The request, without the MFA code (asked for only when STS is really called). */
  readonly input: Omit<AssumeRoleInput, "tokenCode">;
  /**
   * Non-secret identity of the whole chain up to and including this hop: the source identity, then one
   * entry per hop (role, session name, duration, external id, MFA serial, policies, tags). The cache key.
   */
  readonly chainKey: readonly string[];
  readonly mfaCode?: (() => Promise<string>) | undefined;
  readonly debug: (line: string) => void;
}

export interface HopOutput extends AssumeRoleOutput {
  readonly cached?: boolean | undefined;
}

export type AssumeHop = (call: HopCall) => Promise<HopOutput>;

/** The undecorated hop: a real sts:AssumeRole signed by the caller. */
export function stsAssumeHop(sts: StsFactory): AssumeHop {
  return async (call) => {
    const client = sts({ region: call.region, endpoint: call.endpoint, credentials: call.caller, debug: call.debug });
    const tokenCode = call.mfaCode ? await call.mfaCode() : undefined;
    return client.assumeRole({ ...call.input, tokenCode });
  };
}

/**
 * The cache-key entry of one hop: everything that changes what STS would return, nothing secret.
 * `durationKey` names the duration as asked (`max`) when STS may settle for less than was sent.
 */
export function hopKey(input: HopCall["input"], durationKey?: string): string {
  return JSON.stringify([
    input.roleArn,
    input.roleSessionName,
    durationKey ?? input.durationSeconds ?? null,
    input.externalId ?? null,
    input.serialNumber ?? null,
    input.sourceIdentity ?? null,
    input.tags?.map((t) => [t.key, t.value]) ?? null,
    input.transitiveTagKeys ?? null,
    input.policy ?? null,
    input.policyArns ?? null,
  ]);
}
