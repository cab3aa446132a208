import { isoSeconds } from "../iso-seconds.js";
import type { ImdsInspection } from "./inspect-imds.js";

/** The default age past which served credentials are called old (`imds --stale-after`). */
export const DEFAULT_STALE_AFTER_SECONDS = 3600;

export type ImdsWarningCode = "role-mismatch" | "profile-name" | "stale-credentials" | "expired-credentials" | "token-unanswered";

export interface ImdsWarning {
  readonly code: ImdsWarningCode;
  /** What is wrong, in one line. */
  readonly message: string;
  /** What to do about it (seed 004's remedies). */
  readonly remedy: string;
}

/** How to make IMDS serve new credentials now, rather than wait for it (seed 004). */
const FORCE_NEW =
  "to make IMDS serve new credentials now: stop and start the instance (a reboot is not enough), or associate a new instance profile; " +
  "deleting the old role or revoking its active sessions also ends the old credentials";

/** Pure: what in the inspection a user must know about, with what to do. */
export function imdsWarnings(i: ImdsInspection, now: Date, staleAfterSeconds: number): ImdsWarning[] {
  const warnings: ImdsWarning[] = [];
  const role = i.role.ok ? i.role.value : undefined;
  if (i.token.ok && !i.token.value.issued && i.token.value.unanswered && (i.v2.enforced !== undefined || i.instanceId.ok)) {
    warnings.push({
      code: "token-unanswered",
      message: "the IMDSv2 session-token request (PUT) got no answer while GETs were answered: a container behind the instance's hop limit",
      remedy:
        "raise the instance's hop limit to 2 (aws ec2 modify-instance-metadata-options --instance-id ID --http-put-response-hop-limit 2); " +
        "until then clients that require IMDSv2 fail, and the others wait out the token request first",
    });
  }
  if (role !== undefined && i.identity.ok) {
    const served = servedRoleName(i.identity.value.arn);
    if (served !== role) {
      warnings.push({
        code: "role-mismatch",
        message: `IMDS lists role ${role}, but STS says the credentials it serves are ${i.identity.value.arn}`,
        remedy: `after a role swap IMDS goes on serving the previous role's credentials for up to about an hour (after a role is removed from the instance profile, up to 6 hours); ${FORCE_NEW}`,
      });
    }
  }
  if (role !== undefined && i.instanceProfile.ok && i.instanceProfile.value.name !== role) {
    const profile = i.instanceProfile.value.name;
    warnings.push({
      code: "profile-name",
      message: `instance profile ${profile} holds role ${role}: the names differ`,
      remedy:
        `permissions belong to the role: look for ${role} in IAM, not ${profile} (aws iam get-instance-profile --instance-profile-name ${profile} shows what it holds); ` +
        "an instance profile outlives a deleted role of its name and can hold any role",
    });
  }
  if (i.credentials.ok) {
    const { lastUpdated, expiration } = i.credentials.value;
    const age = lastUpdated === undefined ? undefined : Math.floor((now.getTime() - lastUpdated.getTime()) / 1000);
    if (age !== undefined && lastUpdated !== undefined && age > staleAfterSeconds) {
      warnings.push({
        code: "stale-credentials",
        message: `the served credentials were last updated ${spanText(age)} ago (${isoSeconds(lastUpdated)}), more than ${spanText(staleAfterSeconds)}`,
        remedy:
          "IMDS goes on serving a role's credentials for up to 6 hours after the role is removed from the instance profile, and about an hour after a swap: " +
          `if the instance profile or its role changed since ${isoSeconds(lastUpdated)}, these may be the old role's; ${FORCE_NEW}`,
      });
    }
    if (expiration !== undefined && expiration.getTime() <= now.getTime()) {
      warnings.push({
        code: "expired-credentials",
        message: `the served credentials expired at ${isoSeconds(expiration)} by this machine's clock (${isoSeconds(now)})`,
        remedy: "EC2 serves new credentials at least 5 minutes before the old ones expire: check this machine's clock (timedatectl, chrony)",
      });
    }
  }
  return warnings;
}

/** The role of an assumed-role ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`); undefined for any other identity. */
export function servedRoleName(arn: string): string | undefined {
  return /^arn:[\w-]+:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(arn)?.[1];
}

/** `3h 2m`, `12m`, `45s`: a span of time for people, to the minute past an hour. */
export function spanText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}
