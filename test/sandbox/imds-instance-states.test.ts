/**
 * Seed 004's instance states in the sandbox's IMDS: credentials served for another role than the one listed (a role
 * swap IMDS has not caught up with), an instance profile named apart from its role, credentials last updated long ago.
 * Each is a world-file instance key (servedRole, instanceProfile, credentialsAgeSeconds) and a patch `assume-role
 * sandbox` applies from its flags; what a client observes is checked over HTTP and with the JS SDK against the STS.
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_WORLD_JSON,
  defaultWorld,
  MAX_CREDENTIALS_AGE_SECONDS,
  parseWorld,
  patchInstance,
  type Sandbox,
} from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, imdsGet, imdsToken, instanceCreds, stsClient } from "../helpers/sandbox-clients.js";

const A = "123456789012";
const INSTANCE = "i-0123456789abcdef0";
const start = useFreshSandboxes();

const worldJson = (): any => structuredClone(DEFAULT_WORLD_JSON);

async function document(sb: Sandbox, path: string): Promise<Record<string, string>> {
  const res = await imdsGet(sb, path, await imdsToken(sb));
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, string>;
}

async function callerArn(sb: Sandbox): Promise<string | undefined> {
  return (await stsClient(sb, await instanceCreds(sb)).send(new GetCallerIdentityCommand({}))).Arn;
}

describe("servedRole: a role swap IMDS has not caught up with", () => {
  it("lists the profile's role, serves the other role's credentials, and STS says whose they are", async () => {
    const json = worldJson();
    json.instance.servedRole = "PreviousInstanceRole";
    const sb = await start({ world: parseWorld(json, "swap") });
    const listing = await imdsGet(sb, "/latest/meta-data/iam/security-credentials/", await imdsToken(sb));
    expect(await listing.text()).toBe("ExampleRole");
    expect(await callerArn(sb)).toBe(`arn:aws:sts::${A}:assumed-role/PreviousInstanceRole/${INSTANCE}`);
  });

  it("without it, the credentials are the listed role's (control)", async () => {
    const sb = await start();
    expect(await callerArn(sb)).toBe(`arn:aws:sts::${A}:assumed-role/ExampleRole/${INSTANCE}`);
  });

  it("patchInstance does the same for the sandbox flag", async () => {
    const sb = await start({ world: patchInstance(defaultWorld, { servedRole: "PreviousInstanceRole" }) });
    expect(await callerArn(sb)).toBe(`arn:aws:sts::${A}:assumed-role/PreviousInstanceRole/${INSTANCE}`);
  });
});

describe("instanceProfile: a profile named apart from its role", () => {
  it("iam/info names the profile, the listing names the role", async () => {
    const sb = await start({ world: patchInstance(defaultWorld, { instanceProfile: "web-servers" }) });
    const info = await document(sb, "/latest/meta-data/iam/info");
    expect(info.InstanceProfileArn).toBe(`arn:aws:iam::${A}:instance-profile/web-servers`);
    expect(info.InstanceProfileId).toMatch(/^AIPA[A-Z0-9]{17}$/);
    expect(info.InstanceProfileId).not.toBe(defaultWorld.instance.instanceProfileId);
    expect(await (await imdsGet(sb, "/latest/meta-data/iam/security-credentials/", await imdsToken(sb))).text()).toBe("ExampleRole");
  });
});

describe("credentialsAgeSeconds: credentials last updated long ago", () => {
  it("LastUpdated is that long before the first request, and Expiration six hours after it", async () => {
    const clock = new TestClock();
    const json = worldJson();
    json.instance.credentialsAgeSeconds = 3 * 3600;
    const sb = await start({ world: parseWorld(json, "old"), now: clock.now });
    const doc = await document(sb, "/latest/meta-data/iam/security-credentials/ExampleRole");
    const lastUpdated = Date.parse(doc.LastUpdated!);
    const now = clock.now().getTime();
    expect(now - lastUpdated).toBeGreaterThanOrEqual(3 * 3600_000 - 2000);
    expect(now - lastUpdated).toBeLessThanOrEqual(3 * 3600_000 + 2000);
    expect(Date.parse(doc.Expiration!) - lastUpdated).toBe(6 * 3600_000);
    // Still served unchanged (EC2 rotates 5 minutes before expiry) and still valid for STS.
    expect((await document(sb, "/latest/meta-data/iam/security-credentials/ExampleRole")).AccessKeyId).toBe(doc.AccessKeyId);
    expect(await callerArn(sb)).toBe(`arn:aws:sts::${A}:assumed-role/ExampleRole/${INSTANCE}`);
  });

  it("once they near their end, IMDS serves new ones, updated now", async () => {
    const clock = new TestClock();
    const sb = await start({ world: patchInstance(defaultWorld, { credentialsAgeSeconds: 5 * 3600 }), now: clock.now });
    const old = await document(sb, "/latest/meta-data/iam/security-credentials/ExampleRole");
    clock.advance(3600);
    const fresh = await document(sb, "/latest/meta-data/iam/security-credentials/ExampleRole");
    expect(fresh.AccessKeyId).not.toBe(old.AccessKeyId);
    expect(Math.abs(Date.parse(fresh.LastUpdated!) - clock.now().getTime())).toBeLessThanOrEqual(2000);
  });
});

describe("the instance keys' rules", () => {
  it.each<[string, (w: any) => void, string]>([
    ["servedRole not in the account", (w) => (w.instance.servedRole = "Nope"), "w.json: instance: servedRole Nope is not a role of account 123456789012"],
    [
      "servedRole without a role",
      (w) => {
        delete w.instance.role;
        w.instance.servedRole = "ExampleRole";
      },
      "w.json: instance: servedRole needs an instance whose profile holds a role (role)",
    ],
    ["credentialsAgeSeconds negative", (w) => (w.instance.credentialsAgeSeconds = -1), `w.json: instance: credentialsAgeSeconds must be between 0 and ${MAX_CREDENTIALS_AGE_SECONDS} (got -1)`],
    ["credentialsAgeSeconds past six hours", (w) => (w.instance.credentialsAgeSeconds = 6 * 3600), `w.json: instance: credentialsAgeSeconds must be between 0 and ${MAX_CREDENTIALS_AGE_SECONDS} (got 21600)`],
    ["credentialsAgeSeconds not a number", (w) => (w.instance.credentialsAgeSeconds = "3h"), "w.json: instance: credentialsAgeSeconds must be an integer"],
  ])("%s", (_name, spoil, message) => {
    const json = worldJson();
    spoil(json);
    expect(() => parseWorld(json, "w.json")).toThrow(message);
  });

  it.each<[string, Parameters<typeof patchInstance>[1], RegExp]>([
    ["a served role the account lacks", { servedRole: "Nope" }, /^Nope is not a role of account 123456789012$/],
    ["a served role that is no IAM name", { servedRole: "a b" }, /^must match /],
    ["a profile name that is no IAM name", { instanceProfile: "x/y" }, /^must match /],
    ["an age past what EC2 serves", { credentialsAgeSeconds: 6 * 3600 }, /^must be at most 5h54m59s \(21299 s\)/],
  ])("patchInstance refuses %s with the rule alone", (_name, patch, message) => {
    expect(() => patchInstance(defaultWorld, patch)).toThrow(message);
  });
});
