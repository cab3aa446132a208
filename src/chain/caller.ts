import { parseIdentityArn } from "../plan/role-arn.js";
import type { Credentials, HopResult, SessionResult, SourceResult } from "../types.js";

/** Who signs the next call: credentials plus what is known of their identity without asking STS. */
export interface Caller {
  readonly credentials: Credentials;
  readonly arn?: string | undefined;
  readonly partition?: string | undefined;
  readonly accountId?: string | undefined;
  /** The source's own word on its account (IMDS iam/info), asked only for a bare role name. */
  readonly account?: (() => Promise<{ accountId: string; partition: string } | undefined>) | undefined;
}

export function callerOfSource(source: SourceResult): Caller {
  return {
    credentials: source.credentials,
    arn: source.callerArn,
    partition: source.partition,
    accountId: source.accountId,
    account: source.lazy?.account,
  };
}

/**
 * The MFA session acts as the IAM user whose keys opened it: its account is the source's word (aws_account_id), else
 * the MFA device ARN's (a virtual device lives in the user's account); a hardware serial says nothing (STS is asked).
 */
export function callerOfSession(session: SessionResult, source: SourceResult): Caller {
  const device = identityOf(session.serial);
  return {
    credentials: session.credentials,
    accountId: source.accountId ?? device.accountId,
    partition: source.partition ?? device.partition,
  };
}

export function callerOfHop(hop: HopResult): Caller {
  return { credentials: hop.credentials, arn: hop.assumedRoleArn, ...identityOf(hop.assumedRoleArn) };
}

export function identityOf(arn: string): { partition?: string; accountId?: string } {
  const parts = parseIdentityArn(arn);
  return parts ? { partition: parts.partition, accountId: parts.accountId } : {};
}
