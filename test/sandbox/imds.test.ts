import { describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  DEFAULT_WORLD_JSON,
  parseWorld,
  readWorldFile,
  type Sandbox,
} from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, imdsGet, imdsToken } from "../helpers/sandbox-clients.js";

const TTL = "x-aws-ec2-metadata-token-ttl-seconds";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const start = useFreshSandboxes();

function put(sb: Sandbox, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sb.imdsEndpoint}/latest/api/token`, { method: "PUT", headers, ...(signal ? { signal } : {}) });
}

describe("IMDSv2 flow", () => {
  it("serves instance data and role credentials exactly as EC2 shapes them", async () => {
    const sb = await start();
    expect(sb.imdsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenRes = await put(sb, { [TTL]: "21600" });
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get(TTL)).toBe("21600");
    const token = await tokenRes.text();
    expect(token.length).toBeGreaterThan(20);

    const text = async (path: string) => {
      const res = await imdsGet(sb, path, token);
      expect(res.status, path).toBe(200);
      expect(res.headers.get(TTL), path).toMatch(/^\d+$/);
      return res.text();
    };
    expect(await text("/latest/meta-data/instance-id")).toBe("i-0123456789abcdef0");
    expect(await text("/latest/meta-data/placement/region")).toBe("us-east-1");
    expect(await text("/latest/meta-data/placement/availability-zone")).toBe("us-east-1a");

    const doc = JSON.parse(await text("/latest/dynamic/instance-identity/document"));
    expect(doc).toMatchObject({
      accountId: "123456789012",
      architecture: "x86_64",
      availabilityZone: "us-east-1a",
      imageId: expect.stringMatching(/^ami-/),
      instanceId: "i-0123456789abcdef0",
      instanceType: "t3.micro",
      privateIp: "10.0.0.10",
      region: "us-east-1",
      version: "2017-09-30",
    });
    expect(doc.pendingTime).toMatch(TIMESTAMP);

    const info = JSON.parse(await text("/latest/meta-data/iam/info"));
    expect(info).toEqual({
      Code: "Success",
      LastUpdated: expect.stringMatching(TIMESTAMP),
      InstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/ExampleRole",
      InstanceProfileId: expect.stringMatching(/^AIPA[A-Z0-9]{17}$/),
    });

    expect(await text("/latest/meta-data/iam/security-credentials/")).toBe("ExampleRole");
    const creds = JSON.parse(await text("/latest/meta-data/iam/security-credentials/ExampleRole"));
    expect(Object.keys(creds)).toEqual([
      "Code",
      "LastUpdated",
      "Type",
      "AccessKeyId",
      "SecretAccessKey",
      "Token",
      "Expiration",
    ]);
    expect(creds).toMatchObject({ Code: "Success", Type: "AWS-HMAC" });
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(creds.SecretAccessKey).toHaveLength(40);
    expect(creds.Token).toMatch(/\+/);
    expect(creds.Token).toMatch(/\//);
    expect(creds.Token).toMatch(/=$/);
    expect(creds.LastUpdated).toMatch(TIMESTAMP);
    expect(creds.Expiration).toMatch(TIMESTAMP);
    const lifetime = Date.parse(creds.Expiration) - Date.parse(creds.LastUpdated);
    expect(lifetime).toBe(6 * 3600 * 1000);
  });

  it("serves the same credentials until 5 minutes before expiry, then new ones", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const token = await imdsToken(sb);
    const read = async () =>
      JSON.parse(await (await imdsGet(sb, "/latest/meta-data/iam/security-credentials/ExampleRole", token)).text());
    const first = await read();
    clock.advance(3600);
    expect((await read()).AccessKeyId).toBe(first.AccessKeyId);
    clock.advance(6 * 3600 - 3600 - 301); // 5 min + 1 s before expiry
    expect((await read()).AccessKeyId).toBe(first.AccessKeyId);
    clock.advance(2);
    const second = await read();
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(Date.parse(second.Expiration)).toBeGreaterThan(Date.parse(first.Expiration));
  });

  it("rejects token PUTs without a valid TTL (400) or with X-Forwarded-For (403)", async () => {
    const sb = await start();
    for (const ttl of [undefined, "0", "21601", "abc", "-5"]) {
      const headers: Record<string, string> = ttl === undefined ? {} : { [TTL]: ttl };
      expect((await put(sb, headers)).status, JSON.stringify(headers)).toBe(400);
    }
    expect((await put(sb, { [TTL]: "1" })).status).toBe(200);
    expect((await put(sb, { [TTL]: "60", "X-Forwarded-For": "203.0.113.9" })).status).toBe(403);
    expect((await fetch(`${sb.imdsEndpoint}/latest/api/token`)).status).toBe(405);
  });

  it("answers 401 to an expired or unknown token (sandbox clock)", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const token = await imdsToken(sb, "10");
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", token)).status).toBe(200);
    clock.advance(11);
    const expired = await imdsGet(sb, "/latest/meta-data/instance-id", token);
    expect(expired.status).toBe(401);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", "not-a-token")).status).toBe(401);
  });

  it("serves IMDSv1 GETs without a token by default", async () => {
    const sb = await start();
    const res = await imdsGet(sb, "/latest/meta-data/instance-id");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("i-0123456789abcdef0");
  });
});

describe("IMDS faults", () => {
  it("imdsV2Required: GETs without a token get 401, with a token 200", async () => {
    const sb = await start({ faults: { imdsV2Required: true } });
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(401);
    const token = await imdsToken(sb);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", token)).status).toBe(200);
  });

  it("imdsV1Only: the token PUT gets 405, v1 GETs work", async () => {
    const sb = await start({ faults: { imdsV1Only: true } });
    expect((await put(sb, { [TTL]: "21600" })).status).toBe(405);
    expect((await imdsGet(sb, "/latest/meta-data/iam/security-credentials/")).status).toBe(200);
  });

  it("imdsTokenUnanswered: the PUT hangs until the client gives up; GETs still work", async () => {
    const sb = await start({ faults: { imdsTokenUnanswered: true } });
    const started = Date.now();
    await expect(put(sb, { [TTL]: "21600" }, AbortSignal.timeout(200))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(200);
    sb.setFaults({ imdsTokenUnanswered: false });
    expect((await put(sb, { [TTL]: "21600" })).status).toBe(200);
  });

  it("imdsDown: every request fails at the socket, no HTTP response", async () => {
    const sb = await start();
    sb.setFaults({ imdsDown: true });
    await expect(put(sb, { [TTL]: "21600" })).rejects.toThrow(/fetch failed/);
    await expect(imdsGet(sb, "/latest/meta-data/instance-id")).rejects.toThrow(/fetch failed/);
    sb.setFaults({ imdsDown: false });
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(200);
  });

  it("imdsNoIdentityDocument: the identity document is 404 (as on moto); iam/info and placement/region still answer", async () => {
    const sb = await start({ faults: { imdsNoIdentityDocument: true } });
    const token = await imdsToken(sb);
    expect((await imdsGet(sb, "/latest/dynamic/instance-identity/document", token)).status).toBe(404);
    expect((await imdsGet(sb, "/latest/dynamic/instance-identity/", token)).status).toBe(404);
    expect(await (await imdsGet(sb, "/latest/meta-data/placement/region", token)).text()).toBe("us-east-1");
    const info = JSON.parse(await (await imdsGet(sb, "/latest/meta-data/iam/info", token)).text());
    expect(info.InstanceProfileArn).toBe("arn:aws:iam::123456789012:instance-profile/ExampleRole");
    sb.setFaults({ imdsNoIdentityDocument: false });
    expect((await imdsGet(sb, "/latest/dynamic/instance-identity/document", token)).status).toBe(200);
  });

  it("imds401After: the first N GETs are answered, every later one is 401 even with a fresh token", async () => {
    const sb = await start({ faults: { imds401After: 2 } });
    const token = await imdsToken(sb);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", token)).status).toBe(200);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(200);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", token)).status).toBe(401);
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", await imdsToken(sb))).status).toBe(401);
    sb.setFaults({ imds401After: 0 });
    expect((await imdsGet(sb, "/latest/meta-data/instance-id", token)).status).toBe(200);
  });

  it("imdsFault spoils the credentials document: garbage, code-not-success, expired", async () => {
    const sb = await start({ faults: { imdsFault: "garbage" } });
    const path = "/latest/meta-data/iam/security-credentials/ExampleRole";
    const body = async () => (await imdsGet(sb, path, await imdsToken(sb))).text();
    const garbage = await body();
    expect(() => JSON.parse(garbage)).toThrow();
    expect(garbage).toContain('"AccessKeyId"');
    expect(garbage).not.toContain("SecretAccessKey");
    sb.setFaults({ imdsFault: "code-not-success" });
    expect(JSON.parse(await body())).toMatchObject({ Code: "InternalError", Message: expect.any(String) });
    sb.setFaults({ imdsFault: "expired" });
    const expired = JSON.parse(await body()) as { Code: string; Expiration: string };
    expect(expired.Code).toBe("Success");
    expect(new Date(expired.Expiration).getTime()).toBeLessThan(Date.now() - 3000_000);
    // Other paths are untouched.
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(200);
  });

  it("imdsFault html: every request, the token PUT too, answers 200 with an HTML page (with v1-only, the PUT keeps its 405)", async () => {
    const sb = await start({ faults: { imdsFault: "html" } });
    const res = await put(sb, { [TTL]: "21600" });
    expect([res.status, res.headers.get("content-type")]).toEqual([200, "text/html"]);
    expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
    expect(await (await imdsGet(sb, "/latest/meta-data/iam/security-credentials/")).text()).toMatch(/^<!DOCTYPE html>/);
    sb.setFaults({ imdsV1Only: true });
    expect((await put(sb, { [TTL]: "21600" })).status).toBe(405);
  });

  it("latencyMs delays every IMDS response", async () => {
    const sb = await start({ faults: { latencyMs: 150 } });
    const started = Date.now();
    expect((await imdsGet(sb, "/latest/meta-data/instance-id")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("IMDS without a role", () => {
  it("no instance profile: credential paths and iam/info answer 404 with an HTML body", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    delete json.instance.role;
    delete json.instance.instanceProfile;
    const sb = await start({ world: parseWorld(json, "no-profile") });
    for (const path of [
      "/latest/meta-data/iam/security-credentials/",
      "/latest/meta-data/iam/security-credentials/ExampleRole",
      "/latest/meta-data/iam/info",
    ]) {
      const res = await imdsGet(sb, path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toBe("text/html");
      expect(await res.text(), path).toMatch(/<title>404 - Not Found<\/title>/);
    }
    expect(sb.instanceCredentials()).toBeUndefined();
  });

  it("an instance profile without a role: iam/info answers, the credential listing is 404", async () => {
    const world = await readWorldFile(join(import.meta.dirname, "../fixtures/worlds/profile-without-role.json"));
    const sb = await start({ world });
    const info = await imdsGet(sb, "/latest/meta-data/iam/info");
    expect(info.status).toBe(200);
    expect(JSON.parse(await info.text()).InstanceProfileArn).toBe(
      "arn:aws:iam::333333333333:instance-profile/EmptyProfile",
    );
    expect((await imdsGet(sb, "/latest/meta-data/iam/security-credentials/")).status).toBe(404);
    expect(await (await imdsGet(sb, "/latest/meta-data/placement/region")).text()).toBe("eu-west-1");
    expect(sb.env()).toEqual({
      AWS_EC2_METADATA_SERVICE_ENDPOINT: sb.imdsEndpoint,
      AWS_ENDPOINT_URL_STS: sb.stsEndpoint,
      AWS_ENDPOINT_URL_IAM: sb.stsEndpoint,
      AWS_REGION: "eu-west-1",
    });
  });

  it("a role that does not trust EC2: Code AssumeRoleUnauthorizedAccess, like EC2", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    const statement = json.accounts["123456789012"].roles.ExampleRole.trustPolicy.Statement[0];
    statement.Principal = { Service: "lambda.amazonaws.com" };
    const sb = await start({ world: parseWorld(json, "untrusting") });
    const res = await imdsGet(sb, "/latest/meta-data/iam/security-credentials/ExampleRole");
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual({
      Code: "AssumeRoleUnauthorizedAccess",
      Message: "EC2 cannot assume the role ExampleRole.",
      LastUpdated: expect.stringMatching(TIMESTAMP),
    });
  });

  it("unknown paths answer 404 HTML", async () => {
    const sb = await start();
    const res = await imdsGet(sb, "/latest/meta-data/nope");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("<h1>404 - Not Found</h1>");
    expect((await imdsGet(sb, "/latest/meta-data/iam/security-credentials/OtherRole")).status).toBe(404);
  });
});

describe("IMDS counts", () => {
  it('counts every request by "METHOD PATH", and resetCounts clears them', async () => {
    const sb = await start();
    const token = await imdsToken(sb);
    await imdsGet(sb, "/latest/meta-data/instance-id", token);
    await imdsGet(sb, "/latest/meta-data/instance-id?x=1");
    await imdsGet(sb, "/latest/nope");
    expect(sb.counts.imds).toEqual({
      "PUT /latest/api/token": 1,
      "GET /latest/meta-data/instance-id": 2,
      "GET /latest/nope": 1,
    });
    sb.resetCounts();
    expect(sb.counts.imds).toEqual({});
  });
});
