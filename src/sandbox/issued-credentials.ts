/**
 * Every temporary credential the sandbox hands out (instance-role credentials from IMDS, the results of
 * AssumeRole, and GetSessionToken's user sessions), so STS can recognise them when they come back in a
 * signed request.
 */
import type { Role, User } from "./world.js";
import { newSecretAccessKey, newSessionAccessKeyId, newSessionToken } from "./ids.js";

export interface IssuedSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly issuedAt: Date;
  readonly expiration: Date;
  readonly role: Role;
  readonly sessionName: string;
  /** arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION (no role path, as AWS does). */
  readonly arn: string;
  /** AROA…:SESSION */
  readonly assumedRoleId: string;
  /** When MFA was presented to create this session (or an ancestor of it); undefined: no MFA. */
  readonly mfaAuthenticatedAt?: Date | undefined;
  readonly sourceIdentity?: string | undefined;
  /** Session tags: the request's, plus the transitive tags inherited from the caller's session. */
  readonly tags: readonly SessionTag[];
  /** Keys of `tags` that later sessions of a chain inherit (lower-cased: tag keys are case-insensitive). */
  readonly transitiveTagKeys: readonly string[];
  readonly origin: "imds" | "sts";
  /** AssumeRole called with temporary credentials (role chaining, or a GetSessionToken session): capped at 1 h. */
  readonly chained: boolean;
}

/** GetSessionToken's answer: temporary credentials that act as the IAM user who asked (not a role session). */
export interface UserSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly issuedAt: Date;
  readonly expiration: Date;
  readonly user: User;
  /** When MFA was presented to GetSessionToken; undefined: no MFA. */
  readonly mfaAuthenticatedAt?: Date | undefined;
}

export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

export interface IssueRequest {
  readonly role: Role;
  readonly partition: string;
  readonly sessionName: string;
  readonly issuedAt: Date;
  readonly durationSeconds: number;
  readonly mfaAuthenticatedAt?: Date | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly tags?: readonly SessionTag[] | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  readonly origin: "imds" | "sts";
  readonly chained?: boolean | undefined;
}

export function assumedRoleArn(partition: string, role: Role, sessionName: string): string {
  return `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
}

export class IssuedCredentials {
  readonly #byKey = new Map<string, IssuedSession>();
  readonly #userSessions = new Map<string, UserSession>();
  readonly #stsSessionCap: () => number;

  /** `stsSessionCap`: seconds after which STS-issued sessions expire at the latest (0: no cap; the stsSessionSeconds fault). */
  constructor(stsSessionCap: () => number = () => 0) {
    this.#stsSessionCap = stsSessionCap;
  }

  issue(req: IssueRequest): IssuedSession {
    const cap = req.origin === "imds" ? 0 : this.#stsSessionCap();
    const seconds = cap > 0 ? Math.min(cap, req.durationSeconds) : req.durationSeconds;
    const session: IssuedSession = {
      accessKeyId: this.#freshKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      issuedAt: req.issuedAt,
      expiration: new Date(req.issuedAt.getTime() + seconds * 1000),
      role: req.role,
      sessionName: req.sessionName,
      arn: assumedRoleArn(req.partition, req.role, req.sessionName),
      assumedRoleId: `${req.role.roleId}:${req.sessionName}`,
      mfaAuthenticatedAt: req.mfaAuthenticatedAt,
      sourceIdentity: req.sourceIdentity,
      tags: req.tags ?? [],
      transitiveTagKeys: req.transitiveTagKeys ?? [],
      origin: req.origin,
      chained: req.chained ?? false,
    };
    this.#byKey.set(session.accessKeyId, session);
    return session;
  }

  /** A GetSessionToken session for `user` (the stsSessionSeconds fault caps it like any STS session). */
  issueUserSession(req: { user: User; issuedAt: Date; durationSeconds: number; mfaAuthenticatedAt?: Date | undefined }): UserSession {
    const cap = this.#stsSessionCap();
    const seconds = cap > 0 ? Math.min(cap, req.durationSeconds) : req.durationSeconds;
    const session: UserSession = {
      accessKeyId: this.#freshKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      issuedAt: req.issuedAt,
      expiration: new Date(req.issuedAt.getTime() + seconds * 1000),
      user: req.user,
      mfaAuthenticatedAt: req.mfaAuthenticatedAt,
    };
    this.#userSessions.set(session.accessKeyId, session);
    return session;
  }

  getUserSession(accessKeyId: string): UserSession | undefined {
    return this.#userSessions.get(accessKeyId);
  }

  get(accessKeyId: string): IssuedSession | undefined {
    return this.#byKey.get(accessKeyId);
  }

  get size(): number {
    return this.#byKey.size;
  }

  #freshKeyId(): string {
    for (;;) {
      const id = newSessionAccessKeyId();
      if (!this.#byKey.has(id) && !this.#userSessions.has(id)) return id;
    }
  }
}

export function isExpired(session: { readonly expiration: Date }, now: Date): boolean {
  return now.getTime() >= session.expiration.getTime();
}
