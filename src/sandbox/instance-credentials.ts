/**
 * The instance-profile role credentials IMDS serves. Like EC2: a 6-hour session named after the
 * instance ID, served unchanged until 5 minutes before it expires, then replaced by a new one.
 * Each session is registered with the issued credentials so STS recognises it (as a role session).
 */
import type { IssuedCredentials, IssuedSession } from "./issued-credentials.js";
import { evaluatePolicy } from "./policy.js";
import { servedRole, type Role, type World } from "./world.js";

export const INSTANCE_CREDENTIAL_LIFETIME_SECONDS = 6 * 3600;
const ROTATE_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export type InstanceCredentialResult =
  | { readonly ok: true; readonly session: IssuedSession }
  | { readonly ok: false; readonly code: "AssumeRoleUnauthorizedAccess"; readonly message: string };

export class InstanceCredentials {
  readonly #world: World;
  readonly #issued: IssuedCredentials;
  #current: IssuedSession | undefined;

  constructor(world: World, issued: IssuedCredentials) {
    this.#world = world;
    this.#issued = issued;
  }

  /** The role whose credentials are served (after an unfinished role swap, not the listed one); undefined when the instance has no role. */
  get role(): Role | undefined {
    return servedRole(this.#world);
  }

  current(now: Date): InstanceCredentialResult | undefined {
    const role = this.role;
    if (role === undefined) return undefined;
    if (!ec2MayAssume(role)) {
      return { ok: false, code: "AssumeRoleUnauthorizedAccess", message: `EC2 cannot assume the role ${role.name}.` };
    }
    const cur = this.#current;
    if (cur === undefined || now.getTime() >= cur.expiration.getTime() - ROTATE_BEFORE_EXPIRY_MS) {
      // The first credentials may be older than the sandbox (credentialsAgeSeconds): IMDS has served them for that long.
      const age = cur === undefined ? this.#world.instance.credentialsAgeSeconds * 1000 : 0;
      this.#current = this.#issued.issue({
        role,
        partition: this.#world.partition,
        sessionName: this.#world.instance.instanceId,
        issuedAt: new Date(now.getTime() - age),
        durationSeconds: INSTANCE_CREDENTIAL_LIFETIME_SECONDS,
        origin: "imds",
      });
    }
    return { ok: true, session: this.#current as IssuedSession };
  }
}

/** The role's trust policy must let the EC2 service assume it, as for a real instance profile. */
export function ec2MayAssume(role: Role): boolean {
  const decision = evaluatePolicy(role.trustPolicy, {
    action: "sts:AssumeRole",
    resource: role.arn,
    principal: { type: "Service", service: "ec2.amazonaws.com" },
    keys: {},
  });
  return decision === "Allow";
}
