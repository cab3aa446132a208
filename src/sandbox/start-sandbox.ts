/** Start the IMDS and STS emulators for a world and hand back their endpoints and observations. */
import { defaultWorld } from "./default-world.js";
import { FaultState, type Faults } from "./faults.js";
import { createImdsServer } from "./imds-server.js";
import { InstanceCredentials } from "./instance-credentials.js";
import { IssuedCredentials } from "./issued-credentials.js";
import { FederationTokens, type FederationRecord } from "./federation.js";
import { createStsServer, FEDERATION_PATH } from "./sts-server.js";
import type { StsRequestRecord } from "./sts-handler.js";
import { findUserByName, type World } from "./world.js";
import type { LocalServer } from "./http-util.js";

export interface SandboxOptions {
  /** Default: defaultWorld. */
  world?: World;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (random). */
  imdsPort?: number;
  stsPort?: number;
  faults?: Partial<Faults>;
  /** Clock for issuing and validating expirations (tokens, sessions, X-Amz-Date). Default: the real clock. */
  now?: () => Date;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface Sandbox {
  readonly imdsEndpoint: string;
  readonly stsEndpoint: string;
  /** The console federation endpoint (getSigninToken, login): `assume-role console --signin-url` it. */
  readonly federationEndpoint: string;
  readonly world: World;
  /** AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM (the same port), AWS_REGION (the instance region). */
  env(): Record<string, string>;
  /** IMDS by "METHOD PATH", STS by action. */
  readonly counts: { imds: Record<string, number>; sts: Record<string, number> };
  /** TCP connections each server accepted since start (or resetCounts): keep-alive shows as fewer connections than requests. */
  connections(): { imds: number; sts: number };
  readonly requests: StsRequestRecord[];
  /** Requests to the federation endpoint (kept apart from STS's: they are not STS actions). */
  readonly federationRequests: FederationRecord[];
  setFaults(f: Partial<Faults>): void;
  /** Clears counts and the request log. */
  resetCounts(): void;
  /** Long-term keys of an IAM user in the world (for env-source tests). */
  userKeys(userName: string): { accessKeyId: string; secretAccessKey: string };
  /** The instance-role credentials IMDS currently serves (undefined without a role). Addition. */
  instanceCredentials(): TemporaryCredentials | undefined;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const world = opts.world ?? defaultWorld;
  const host = opts.host ?? "127.0.0.1";
  const now = opts.now ?? (() => new Date());
  const faults = new FaultState(opts.faults);
  const issued = new IssuedCredentials(() => faults.current.stsSessionSeconds);
  const instanceCreds = new InstanceCredentials(world, issued);
  const counts = { imds: {} as Record<string, number>, sts: {} as Record<string, number> };
  const requests: StsRequestRecord[] = [];
  const federationRequests: FederationRecord[] = [];
  const bump = (table: Record<string, number>, key: string) => {
    table[key] = (table[key] ?? 0) + 1;
  };

  const imds = createImdsServer({
    faults,
    now,
    content: { instance: world.instance, startedAt: now(), credentials: (at) => instanceCreds.current(at) },
    onRequest: (key) => bump(counts.imds, key),
  });
  const sts = createStsServer({
    world,
    issued,
    faults,
    now,
    onRequest: (record) => {
      bump(counts.sts, record.action);
      requests.push(record);
    },
    federationTokens: new FederationTokens(),
    onFederationRequest: (record) => federationRequests.push(record),
  });
  const servers: LocalServer[] = [imds, sts];
  let imdsEndpoint: string;
  let stsEndpoint: string;
  try {
    imdsEndpoint = await imds.listen(host, opts.imdsPort ?? 0);
    stsEndpoint = await sts.listen(host, opts.stsPort ?? 0);
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }

  return {
    imdsEndpoint,
    stsEndpoint,
    federationEndpoint: `${stsEndpoint}${FEDERATION_PATH}`,
    world,
    env: () => ({
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
      AWS_ENDPOINT_URL_STS: stsEndpoint,
      // The IAM Query API (GetRole, SimulatePrincipalPolicy: what `doctor` reads) answers on the STS port.
      AWS_ENDPOINT_URL_IAM: stsEndpoint,
      AWS_REGION: world.instance.region,
    }),
    counts,
    connections: () => ({ imds: imds.connections, sts: sts.connections }),
    requests,
    federationRequests,
    setFaults: (f) => faults.set(f),
    resetCounts: () => {
      for (const table of [counts.imds, counts.sts]) for (const key of Object.keys(table)) delete table[key];
      requests.length = 0;
      federationRequests.length = 0;
      imds.connections = 0;
      sts.connections = 0;
    },
    userKeys: (userName) => {
      const user = findUserByName(world, userName);
      if (user === undefined) throw new Error(`sandbox: no IAM user named "${userName}" in the world`);
      return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
    },
    instanceCredentials: () => {
      const result = instanceCreds.current(now());
      if (result === undefined || !result.ok) return undefined;
      const { accessKeyId, secretAccessKey, sessionToken, expiration } = result.session;
      return { accessKeyId, secretAccessKey, sessionToken, expiration };
    },
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
