import { describe, expect, it } from "vitest";
import { ImdsClient } from "../../src/imds/imds-client.js";
import { imdsConfigFromEnv } from "../../src/imds/imds-config.js";
import { createImdsFacts } from "../../src/imds/imds-facts.js";
import type { ImdsHttpOutcome, ImdsRequest } from "../../src/imds/imds-http.js";
import { imdsSource } from "../../src/sources/imds-source.js";

const ENDPOINT = "http://imds.test";
const CREDS = JSON.stringify({
  Code: "Success",
  LastUpdated: "2026-11-21T06:00:00Z",
  Type: "AWS-HMAC",
  AccessKeyId: "ASIAINSTANCE",
  SecretAccessKey: "secret",
  Token: "token",
  Expiration: "2099-01-01T00:00:00Z",
});
const IDENTITY = JSON.stringify({ accountId: "111122223333", instanceId: "i-0doc", region: "cn-north-1" });
const IAM_INFO = JSON.stringify({
  Code: "Success",
  LastUpdated: "2026-11-21T06:00:00Z",
  InstanceProfileArn: "arn:aws-us-gov:iam::444455556666:instance-profile/web",
  InstanceProfileId: "AIPAEXAMPLE",
});

/** Every path EC2 serves, minus `missing`; each GET waits for `release()` so concurrency can be observed. */
function fakeImds(missing: string[] = [], bodies: Record<string, string> = {}) {
  const served: Record<string, string> = {
    "/latest/meta-data/iam/security-credentials/": "WebRole",
    "/latest/meta-data/iam/security-credentials/WebRole": CREDS,
    "/latest/meta-data/instance-id": "i-0abc",
    "/latest/meta-data/placement/region": "eu-west-1",
    "/latest/meta-data/iam/info": IAM_INFO,
    "/latest/dynamic/instance-identity/document": IDENTITY,
    ...bodies,
  };
  const paths: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const request: ImdsRequest = async (req): Promise<ImdsHttpOutcome> => {
    const path = new URL(req.url).pathname;
    paths.push(`${req.method} ${path}`);
    if (req.method === "PUT") return { kind: "response", status: 200, body: "tok" };
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    const body = missing.includes(path) ? undefined : served[path];
    return body === undefined ? { kind: "response", status: 404, body: "<h1>404</h1>" } : { kind: "response", status: 200, body };
  };
  const facts = createImdsFacts(new ImdsClient(imdsConfigFromEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: ENDPOINT }), request));
  return { facts, paths, maxInFlight: () => maxInFlight };
}

const TOKEN = "PUT /latest/api/token";
const LIST = "GET /latest/meta-data/iam/security-credentials/";
const ROLE = "GET /latest/meta-data/iam/security-credentials/WebRole";

describe("imdsSource asks only what every IMDS serves", () => {
  const deps = (facts: ReturnType<typeof fakeImds>["facts"]) => ({
    config: imdsConfigFromEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: ENDPOINT }),
    facts,
    now: () => new Date("2026-11-21T07:00:00Z"),
    warn: () => {},
  });

  it("wanting nothing: token, role listing, credentials; the rest is lazy", async () => {
    const imds = fakeImds();
    const result = await imdsSource(deps(imds.facts));
    expect(imds.paths).toEqual([TOKEN, LIST, ROLE]);
    expect(result).toMatchObject({
      kind: "imds",
      credentials: { accessKeyId: "ASIAINSTANCE", secretAccessKey: "secret", sessionToken: "token" },
    });
    expect(result.instanceId).toBeUndefined();
    expect(result.region).toBeUndefined();
    expect(await result.lazy!.instanceId!()).toBe("i-0abc");
    expect(await result.lazy!.instanceId!()).toBe("i-0abc");
    expect(imds.paths).toEqual([TOKEN, LIST, ROLE, "GET /latest/meta-data/instance-id"]);
  });

  it("what the chain wants is fetched alongside the role listing, once each", async () => {
    const imds = fakeImds();
    const result = await imdsSource(deps(imds.facts), { instanceId: true, region: true, account: true });
    expect(imds.maxInFlight()).toBe(4);
    expect(await result.lazy!.region!()).toBe("eu-west-1");
    expect(await result.lazy!.account!()).toEqual({ accountId: "444455556666", partition: "aws-us-gov" });
    expect(await result.lazy!.instanceId!()).toBe("i-0abc");
    expect([...imds.paths].sort()).toEqual(
      [TOKEN, LIST, ROLE, "GET /latest/meta-data/instance-id", "GET /latest/meta-data/placement/region", "GET /latest/meta-data/iam/info"].sort(),
    );
  });

  it("the role listing goes out first after the token, even when a fact was asked for before it (the listing takes the token's connection)", async () => {
    const imds = fakeImds();
    const early = imds.facts.instanceId(); // a session name's {instanceId}, asked before the source starts
    const result = await imdsSource(deps(imds.facts), { instanceId: true, region: true });
    await early;
    expect(imds.paths.slice(0, 2)).toEqual([TOKEN, LIST]);
    expect(imds.maxInFlight()).toBe(3);
    expect(result.credentials.accessKeyId).toBe("ASIAINSTANCE");
  });

  it("never asks for the identity document when the other paths answer", async () => {
    const imds = fakeImds(["/latest/dynamic/instance-identity/document"]);
    const result = await imdsSource(deps(imds.facts), { instanceId: true, region: true, account: true });
    await Promise.all([result.lazy!.region!(), result.lazy!.account!(), result.lazy!.instanceId!()]);
    expect(imds.paths.some((p) => p.includes("instance-identity"))).toBe(false);
  });

  it("a failed prefetch is not an unhandled rejection; the error reaches whoever awaits the fact", async () => {
    const imds = fakeImds([], { "/latest/meta-data/instance-id": "not an id!" });
    const result = await imdsSource(deps(imds.facts), { instanceId: true });
    await new Promise((r) => setTimeout(r, 20));
    await expect(result.lazy!.instanceId!()).rejects.toMatchObject({ exitCode: 6, message: expect.stringContaining("instance-id") });
  });
});

describe("IMDS facts fall back where an IMDS lacks a path", () => {
  it("account: iam/info's InstanceProfileArn, else the identity document, else undefined (STS is asked)", async () => {
    expect(await fakeImds().facts.account()).toEqual({ accountId: "444455556666", partition: "aws-us-gov" });
    const noInfo = fakeImds(["/latest/meta-data/iam/info"]);
    expect(await noInfo.facts.account()).toEqual({ accountId: "111122223333", partition: "aws-cn" });
    expect(await fakeImds(["/latest/meta-data/iam/info", "/latest/dynamic/instance-identity/document"]).facts.account()).toBeUndefined();
    const notSuccess = fakeImds([], { "/latest/meta-data/iam/info": JSON.stringify({ Code: "Failure" }) });
    expect(await notSuccess.facts.account()).toEqual({ accountId: "111122223333", partition: "aws-cn" });
  });

  it("region: placement/region, else the identity document; one identity-document request shared with the account", async () => {
    const imds = fakeImds(["/latest/meta-data/placement/region", "/latest/meta-data/iam/info"]);
    expect(await imds.facts.region()).toBe("cn-north-1");
    expect(await imds.facts.account()).toEqual({ accountId: "111122223333", partition: "aws-cn" });
    expect(imds.paths.filter((p) => p.includes("instance-identity"))).toHaveLength(1);
    expect(await fakeImds(["/latest/meta-data/placement/region", "/latest/dynamic/instance-identity/document"]).facts.region()).toBeUndefined();
  });

  it("a region that is not a region name never reaches an endpoint URL: exit 6", async () => {
    const imds = fakeImds([], { "/latest/meta-data/placement/region": "evil.example/x" });
    await expect(imds.facts.region()).rejects.toMatchObject({
      exitCode: 6,
      message: "IMDS answered placement/region with 'evil.example/x': expected a region name like us-east-1",
    });
  });

  it("no instance profile (404 listing): exit 3 saying so", async () => {
    const imds = fakeImds(["/latest/meta-data/iam/security-credentials/"]);
    await expect(imds.facts.credentials()).rejects.toMatchObject({
      exitCode: 3,
      message: `IMDS at ${ENDPOINT} lists no role: this instance has no IAM instance profile`,
    });
  });
});
