/**
 * Cache keys from the plan and local facts only (issue 8 §2): hopKeys (plan/hop-keys.ts) over the source's local identity
 * (plan/source-identity.ts). Same plan and facts → same keys; anything that changes what STS would answer → another key.
 */
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanInput, type ProfilePlan } from "../../src/plan/build-plan.js";
import { hopKeys, sessionKey, type LocalVars } from "../../src/plan/hop-keys.js";
import { sourceIdentity } from "../../src/plan/source-identity.js";
import type { SourcePlan } from "../../src/types.js";

type Env = Record<string, string>;
const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/B";
const C = "arn:aws:iam::333333333333:role/C";
const KEYS: Env = { AWS_ACCESS_KEY_ID: "AKIAUSER", AWS_SECRET_ACCESS_KEY: "user-secret-never-in-a-key" };
const LOCAL: LocalVars = { user: "ec2-user", host: "build-host", now: new Date("2026-11-21T07:30:00Z") };
const MACHINE = "http://127.0.0.1:1338:machine-1:boot-1";

/** The keys of the plan `input` would build, with the facts chain-deps.ts reads. */
function keysOf(input: Partial<PlanInput>, o: { machine?: string; endpoint?: string; local?: LocalVars } = {}): string[][] {
  const env = input.env ?? KEYS;
  const plan = buildPlan({ roles: [A], ...input, env });
  return hopKeys(plan, sourceIdentity(plan, env, o.machine ?? MACHINE), o.endpoint, o.local ?? LOCAL);
}
const finalKey = (input: Partial<PlanInput>, o: Parameters<typeof keysOf>[1] = {}) => JSON.stringify(keysOf(input, o).at(-1));
/** The rendered session name in the key of hop `index`. */
const sessionInKey = (keys: string[][], index = 0) => (JSON.parse(keys[index]!.at(-1)!) as { session: string }).session;

describe("hopKeys", () => {
  it("same plan and local facts → the same keys; one key per hop, each extending the one before", () => {
    const input = { roles: [A, B, C], tags: ["team=ops"], duration: "30m" };
    const keys = keysOf(input);
    expect(keysOf(input)).toEqual(keys);
    expect(keys.map((k) => k.length)).toEqual([2, 3, 4]);
    expect(keys[1]!.slice(0, 2)).toEqual(keys[0]);
    expect(keys[2]!.slice(0, 3)).toEqual(keys[1]);
  });

  it("a chain sharing a prefix shares the first hop's key, not the later ones", () => {
    const ab = keysOf({ roles: [A, B] });
    const ac = keysOf({ roles: [A, C] });
    expect(keysOf({ roles: [A] })[0]).toEqual(ab[0]);
    expect(ac[0]).toEqual(ab[0]);
    expect(ac[1]).not.toEqual(ab[1]);
  });

  const BASE: Partial<PlanInput> = { roles: [A] };
  const variants: Array<[string, Partial<PlanInput>]> = [
    ["another role", { roles: [B] }],
    ["a bare name", { roles: ["A"] }],
    ["a duration", { duration: "2h" }],
    ["`max` (12 h, with the fallback)", { duration: "max" }],
    ["an external ID", { externalId: "ext-1" }],
    ["another external ID", { externalId: "ext-2" }],
    ["an MFA serial", { mfaSerial: "arn:aws:iam::111111111111:mfa/alice" }],
    ["a source identity", { sourceIdentity: "alice" }],
    ["a tag", { tags: ["team=ops"] }],
    ["another tag value", { tags: ["team=dev"] }],
    ["a transitive tag", { tags: ["team=ops"], transitiveTags: ["team"] }],
    ["an inline policy", { policy: '{"Version":"2012-10-17","Statement":[]}' }],
    ["another inline policy", { policy: '{"Version":"2012-10-17","Statement":[{}]}' }],
    ["a managed policy", { policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
    ["a session name", { sessionName: "deploy" }],
    ["a region", { region: "eu-west-1" }],
    ["another source (other keys)", { env: { ...KEYS, AWS_ACCESS_KEY_ID: "AKIAOTHER" } }],
    ["another source kind (IMDS)", { source: "imds" }],
  ];
  it("any parameter, tag, policy, source identity or region change gives another key", () => {
    const keys = [finalKey(BASE), ...variants.map(([, v]) => finalKey({ ...BASE, ...v }))];
    const seen = new Map<string, string>();
    keys.forEach((k, i) => {
      const name = i === 0 ? "the base" : variants[i - 1]![0];
      expect(seen.get(k), `${name} has the key of ${seen.get(k)}`).toBeUndefined();
      seen.set(k, name);
    });
  });

  it("another STS endpoint, another machine or boot (IMDS) gives another key", () => {
    const base = finalKey(BASE);
    expect(finalKey(BASE, { endpoint: "http://127.0.0.1:1111" })).not.toBe(base);
    expect(finalKey(BASE, { endpoint: "http://127.0.0.1:2222" })).not.toBe(finalKey(BASE, { endpoint: "http://127.0.0.1:1111" }));
    const imds = { source: "imds", env: {} };
    expect(finalKey(imds, { machine: "http://127.0.0.1:1338:machine-1:boot-2" })).not.toBe(finalKey(imds));
  });

  it("{instanceId} stays as written (fixed on the machine the source identity names); {user}, {host}, {role}, {hop}, {accountId}, {time} are rendered", () => {
    const imds = keysOf({ roles: [A, B], source: "imds", env: {} });
    expect([sessionInKey(imds, 0), sessionInKey(imds, 1)]).toEqual(["{instanceId}", "{instanceId}"]);
    expect(sessionInKey(keysOf(BASE))).toBe("ec2-user@build-host");
    expect(sessionInKey(keysOf({ roles: [A, B], sessionName: "{role}-{hop}-{accountId}-{time}" }), 1)).toBe("B-2-222222222222-20261121T073000Z");
    expect(sessionInKey(keysOf({ sessionName: "{region}-x", region: "eu-west-1" }))).toBe("eu-west-1-x");
    // the instance's region is not known without IMDS: kept as written, like {instanceId}
    expect(sessionInKey(keysOf({ sessionName: "{region}-x", source: "imds", env: {} }))).toBe("{region}-x");
    // a bare name's account comes from the caller at run time
    expect(sessionInKey(keysOf({ roles: ["team/Deploy"], sessionName: "{role}@{accountId}" }))).toBe("Deploy@{accountId}");
  });

  it("a local fact changes the key only when the session name uses it", () => {
    const otherHost = { local: { ...LOCAL, host: "other-host" } };
    const later = { local: { ...LOCAL, now: new Date("2026-11-21T08:30:00Z") } };
    expect(finalKey(BASE, otherHost)).not.toBe(finalKey(BASE));
    const imds = { source: "imds", env: {} };
    expect(finalKey(imds, otherHost)).toBe(finalKey(imds));
    expect(finalKey(BASE, later)).toBe(finalKey(BASE));
    expect(finalKey({ sessionName: "cron-{time}" }, later)).not.toBe(finalKey({ sessionName: "cron-{time}" }));
  });

  it("no key holds a secret", () => {
    const staticProfile: ProfilePlan = {
      name: "p",
      source: { kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "profile-secret", sessionToken: "profile-token" } },
      hops: [],
    };
    const text = JSON.stringify([
      keysOf({ roles: [A, B] }),
      keysOf({ profile: staticProfile, env: {} }),
      keysOf({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c", AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-token" } }),
      keysOf({ env: { AWS_ACCESS_KEY_ID: "ASIATEMP", AWS_SECRET_ACCESS_KEY: "temp-secret", AWS_SESSION_TOKEN: "temp-token" } }),
    ]);
    for (const secret of ["user-secret-never-in-a-key", "profile-secret", "profile-token", "container-token", "temp-secret", "temp-token"]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("sourceIdentity", () => {
  const identity = (input: Partial<PlanInput>, machine = MACHINE) => {
    const env = input.env ?? {};
    return sourceIdentity(buildPlan({ roles: [], ...input, env }), env, machine);
  };
  const profile = (source: SourcePlan): Partial<PlanInput> => ({ profile: { name: "p", source, hops: [] } });
  const sso = (settings: Record<string, string>) => profile({ kind: "sso", profile: "p", settings });
  const SSO = { sso_start_url: "https://example.awsapps.com/start", sso_region: "eu-west-1", sso_account_id: "111111111111", sso_role_name: "Dev" };

  it.each<[string, Partial<PlanInput>, string]>([
    ["environment keys: the access key ID", { env: KEYS }, "env:AKIAUSER"],
    ["IMDS: the endpoint and machine-and-boot identity", { source: "imds" }, `imds:${MACHINE}`],
    ["profile static keys: the key ID", profile({ kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "x" } }), "key:AKIAP"],
    ["credential_process: the command", profile({ kind: "process", profile: "p", command: "get-creds --account 1" }), "process:get-creds --account 1"],
    ["SSO: start URL, account, role", sso(SSO), 'sso:["https://example.awsapps.com/start","111111111111","Dev"]'],
    ["container with a token file: URI and the file's path", { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c", AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token" } }, "container:http://127.0.0.1:9/c:/var/run/token"],
  ])("%s", (_what, input, expected) => {
    expect(identity(input)).toBe(expected);
  });

  it("a container's authorization token appears only as a digest, which tells tokens apart", () => {
    const withToken = (token: string) => identity({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c", AWS_CONTAINER_AUTHORIZATION_TOKEN: token } });
    const one = withToken("secret-token-one");
    expect(one).toMatch(/^container:http:\/\/127\.0\.0\.1:9\/c:sha256:[0-9a-f]{16}$/);
    expect(one).not.toContain("secret-token-one");
    expect(withToken("secret-token-one")).toBe(one);
    expect(withToken("secret-token-two")).not.toBe(one);
    expect(identity({ env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/creds/a" } })).not.toBe(identity({ env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/creds/b" } }));
  });

  it("web identity: role, token source and session name tell sources apart; the token itself is never read", () => {
    const W = "arn:aws:iam::111111111111:role/W";
    const env = (extra: Env = {}): Env => ({ AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token", AWS_ROLE_ARN: W, ...extra });
    const base = identity({ env: env() });
    expect(base.startsWith("web-identity:")).toBe(true);
    expect(base).toContain(W);
    expect(base).toContain("/var/run/token");
    const others = [
      identity({ env: env({ AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/Other" }) }),
      identity({ env: env({ AWS_WEB_IDENTITY_TOKEN_FILE: "/other/token" }) }),
      identity({ env: env({ AWS_ROLE_SESSION_NAME: "other-session" }) }),
      identity({ roles: [W], source: "web-identity", webIdentityTokenEnv: "MY_TOKEN", env: { MY_TOKEN: "jwt-never-in-a-key" } }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
    expect(others[3]).not.toContain("jwt-never-in-a-key");
    expect(identity({ env: env() })).toBe(base);
  });

  it.each<[string, Partial<PlanInput>, Partial<PlanInput>]>([
    ["other environment keys", { env: KEYS }, { env: { ...KEYS, AWS_ACCESS_KEY_ID: "AKIAOTHER" } }],
    ["another SSO role", sso(SSO), sso({ ...SSO, sso_role_name: "Admin" })],
    ["another SSO account", sso(SSO), sso({ ...SSO, sso_account_id: "222222222222" })],
    ["another credential_process", profile({ kind: "process", profile: "p", command: "a" }), profile({ kind: "process", profile: "p", command: "b" })],
  ])("%s → another identity", (_what, one, other) => {
    expect(identity(other)).not.toBe(identity(one));
  });

  it("IMDS: another machine, boot or endpoint → another identity", () => {
    const imds = { source: "imds" };
    for (const machine of ["http://127.0.0.1:1338:machine-2:boot-1", "http://127.0.0.1:1338:machine-1:boot-2", "http://127.0.0.1:9999:machine-1:boot-1"]) {
      expect(identity(imds, machine)).not.toBe(identity(imds));
    }
  });

  it("never holds a secret key or session token", () => {
    const text = [
      identity({ env: { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "env-token" } }),
      identity(profile({ kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "profile-secret", sessionToken: "profile-token" } })),
    ].join("\n");
    for (const secret of ["env-secret", "env-token", "profile-secret", "profile-token"]) expect(text).not.toContain(secret);
  });
});

describe("the MFA session's key (sessionKey)", () => {
  const SERIAL = "arn:aws:iam::111111111111:mfa/alice";
  const keysProfile = (region?: string): ProfilePlan => ({
    name: "role",
    source: { kind: "static", profile: "alice", credentials: { accessKeyId: "AKIAALICE", secretAccessKey: "alice-secret" } },
    mfaSession: { profile: "alice", serial: SERIAL },
    hops: [],
    region,
  });
  const plan = (roles: string[], profile = keysProfile(), extra: Partial<PlanInput> = {}) => buildPlan({ roles, profile, env: {}, ...extra });
  const keysFor = (p: ReturnType<typeof plan>) => {
    const id = sourceIdentity(p, {}, MACHINE);
    return { session: sessionKey(p, id, undefined), hops: hopKeys(p, id, undefined, LOCAL) };
  };

  it("is the access key ID and the serial: the same for another role, another region and another session length", () => {
    const a = keysFor(plan([A]));
    expect(a.session).toEqual([JSON.stringify({ sts: null, source: "key:AKIAALICE", mfaSession: SERIAL })]);
    expect(keysFor(plan([B])).session).toEqual(a.session);
    expect(keysFor(plan([A], keysProfile("eu-west-1"))).session).toEqual(a.session);
    expect(keysFor(plan([A], keysProfile(), { mfaSessionDuration: "1h" })).session).toEqual(a.session);
    expect(JSON.stringify(a.session)).not.toContain("alice-secret");
  });

  it("every hop's key extends it; the same role without the session has other keys", () => {
    const { session, hops } = keysFor(plan([A, B]));
    for (const key of hops) expect(key.slice(0, 1)).toEqual(session);
    const plain = keysFor(plan([A], { ...keysProfile(), mfaSession: undefined }));
    expect(plain.session).toBeUndefined();
    expect(plain.hops[0]).not.toEqual(hops[0]);
  });
});
