/**
 * The pure side of `serve --imds`: how each request is answered (routeImdsRequest, credentialsReply) under a
 * controlled clock, where it listens (listenAddress), and the variables it prints (buildImdsExportSet).
 */
import { describe, expect, it } from "vitest";
import { listenAddress } from "../../src/commands/serve-imds-command.js";
import { buildImdsExportSet } from "../../src/outputs/imds-export-set.js";
import { allowedHosts } from "../../src/serve/allowed-hosts.js";
import { credentialsReply, fakeInstanceId, imdsInstance, routeImdsRequest, type ImdsRoute } from "../../src/serve/imds-answer.js";
import { ImdsTokens } from "../../src/serve/imds-protocol.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const ROLE = "arn:aws:iam::123456789012:role/team/Deploy";
const instance = imdsInstance(ROLE, "eu-central-1", new Date(T0))!;
const HOSTS = allowedHosts("127.0.0.1", 1234);

function server() {
  let n = 0;
  const tokens = new ImdsTokens(() => `token-${++n}`);
  let ms = T0;
  const ask = (method: string, path: string, headers: Record<string, string> = {}): ImdsRoute =>
    routeImdsRequest({ method, path, headers: { host: "127.0.0.1:1234", ...headers } }, tokens, new Date(ms), instance, HOSTS);
  const status = (route: ImdsRoute) => (route.kind === "reply" ? route.reply.status : "credentials");
  const token = (ttl = "60") => {
    const r = ask("PUT", "/latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": ttl });
    if (r.kind !== "reply" || r.reply.status !== 200) throw new Error("no token");
    return r.reply.body;
  };
  return { ask, status, token, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe("the instance", () => {
  it("is the role's: its name (not its path), an instance profile of that name in its account, a stable i- ID per role", () => {
    expect(instance).toMatchObject({ roleName: "Deploy", region: "eu-central-1", instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/Deploy" });
    expect(instance.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(fakeInstanceId(ROLE)).toBe(instance.instanceId);
    expect(fakeInstanceId("arn:aws:iam::123456789012:role/Other")).not.toBe(instance.instanceId);
    expect(imdsInstance("arn:aws:sts::123456789012:assumed-role/Deploy/x", "us-east-1", new Date(T0))).toBeUndefined();
  });
});

describe("routeImdsRequest", () => {
  it.each([
    ["missing", undefined, 400],
    ["0", "0", 400],
    ["1", "1", 200],
    ["21600", "21600", 200],
    ["21601", "21601", 400],
    ["a fraction", "2.5", 400],
    ["signed", "+60", 400],
    ["hex", "0x10", 400],
  ])("token PUT with TTL %s → %s", (_label, ttl, expected) => {
    const s = server();
    expect(s.status(s.ask("PUT", "/latest/api/token", ttl === undefined ? {} : { "x-aws-ec2-metadata-token-ttl-seconds": ttl }))).toBe(expected);
  });

  it("refuses a web page's requests (DNS rebinding): a Host other than the bound address, or any Origin, is 403 before anything else", () => {
    const s = server();
    const token = s.token();
    const put = (headers: Record<string, string>) => s.ask("PUT", "/latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": "60", ...headers });
    const get = (headers: Record<string, string>) => s.ask("GET", "/latest/meta-data/iam/security-credentials/Deploy", { "x-aws-ec2-metadata-token": token, ...headers });
    for (const foreign of [{ host: "evil.example" }, { host: "evil.example:1234" }, { host: "127.0.0.1:1235" }, { host: "127.0.0.1" }, { host: "" }, { origin: "http://evil.example" }, { origin: "null" }] as Record<string, string>[]) {
      expect([foreign, s.status(put(foreign)), s.status(get(foreign))]).toEqual([foreign, 403, 403]);
    }
    for (const own of [{}, { host: "localhost:1234" }, { host: "LOCALHOST:1234" }] as Record<string, string>[]) {
      expect([own, s.status(put(own)), s.status(get(own))]).toEqual([own, 200, "credentials"]);
    }
  });

  it("refuses a token PUT that carries X-Forwarded-For (403) and a token request that is not a PUT (405)", () => {
    const s = server();
    expect(s.status(s.ask("PUT", "/latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": "60", "x-forwarded-for": "10.0.0.1" }))).toBe(403);
    expect(s.status(s.ask("GET", "/latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": "60" }))).toBe(405);
  });

  it("a token is good for its TTL to the second, then 401; GETs echo the seconds left", () => {
    const s = server();
    const token = s.token("10");
    const get = () => s.ask("GET", "/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": token });
    s.advance(9.5);
    const answer = get();
    expect(answer).toMatchObject({ kind: "reply", reply: { status: 200, body: instance.instanceId, headers: { "x-aws-ec2-metadata-token-ttl-seconds": "1" } } });
    s.advance(0.5);
    expect(s.status(get())).toBe(401);
  });

  it("without a valid token every path is 401, before the path is looked at", () => {
    const s = server();
    for (const path of ["/latest/meta-data/iam/security-credentials/Deploy", "/latest/meta-data/", "/nothing"]) {
      expect(s.status(s.ask("GET", path))).toBe(401);
      expect(s.status(s.ask("GET", path, { "x-aws-ec2-metadata-token": "token-999" }))).toBe(401);
    }
  });

  it.each([
    ["/latest/meta-data/", "iam/\ninstance-id\nplacement/"],
    ["/latest/meta-data/iam/", "info\nsecurity-credentials/"],
    ["/latest/meta-data/iam/security-credentials/", "Deploy"],
    ["/latest/meta-data/placement/", "region"],
    ["/latest/meta-data/placement/region", "eu-central-1"],
  ])("GET %s with a token", (path, body) => {
    const s = server();
    expect(s.ask("GET", path, { "x-aws-ec2-metadata-token": s.token() })).toMatchObject({ kind: "reply", reply: { status: 200, body } });
  });

  it("the role's path answers with the credentials; other roles, paths without their slash and unknown paths are 404; POST is 405", () => {
    const s = server();
    const h = { "x-aws-ec2-metadata-token": s.token() };
    expect(s.ask("GET", "/latest/meta-data/iam/security-credentials/Deploy", h)).toEqual({ kind: "credentials", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" } });
    expect(s.status(s.ask("HEAD", "/latest/meta-data/iam/security-credentials/Deploy", h))).toBe("credentials");
    for (const path of ["/latest/meta-data/iam/security-credentials/Other", "/latest/meta-data/iam/security-credentials", "/latest/meta-data", "/latest/user-data"]) {
      expect(s.status(s.ask("GET", path, h)), path).toBe(404);
    }
    expect(s.status(s.ask("POST", "/latest/meta-data/", h))).toBe(405);
  });
});

describe("credentialsReply", () => {
  it("IMDS's document: Code, LastUpdated (when obtained: expiry less lifetime), Type, the keys, Token, Expiration, in that order", () => {
    const expiration = new Date(T0 + 3600_000);
    const r = credentialsReply({ ok: true, credentials: { accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration, lifetimeSeconds: 3000 } }, {});
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      JSON.stringify(
        { Code: "Success", LastUpdated: "2030-01-01T00:10:00Z", Type: "AWS-HMAC", AccessKeyId: "ASIAX", SecretAccessKey: "s", Token: "t", Expiration: "2030-01-01T01:00:00Z" },
        null,
        2,
      ),
    );
  });

  it("503 with the reason when nothing valid is left to serve", () => {
    expect(credentialsReply({ ok: false, message: "the credentials expired and could not be renewed: x" }, {})).toMatchObject({ status: 503, body: "the credentials expired and could not be renewed: x\n" });
  });
});

describe("allowedHosts", () => {
  it.each([
    ["127.0.0.1", 1234, ["127.0.0.1:1234", "localhost:1234"]],
    ["127.0.0.2", 80, ["127.0.0.2:80", "127.0.0.2", "localhost:80", "localhost"]],
    ["::1", 1234, ["[::1]:1234", "localhost:1234"]],
    ["172.17.0.1", 1234, ["172.17.0.1:1234"]],
    ["fd00::A", 1234, ["[fd00::a]:1234"]],
  ] as const)("bound to %s port %s: %j", (address, port, expected) => {
    expect([...allowedHosts(address, port)]).toEqual(expected);
  });
});

describe("listenAddress", () => {
  it.each([
    [undefined, undefined, { host: "127.0.0.1", port: 0, loopback: true }],
    ["127.0.0.2", "8080", { host: "127.0.0.2", port: 8080, loopback: true }],
    ["::1", "0", { host: "::1", port: 0, loopback: true }],
    ["172.17.0.1", "65535", { host: "172.17.0.1", port: 65535, loopback: false }],
    ["fd00::1", undefined, { host: "fd00::1", port: 0, loopback: false }],
  ])("--host %s --port %s", (host, port, expected) => {
    expect(listenAddress(host, port)).toEqual(expected);
  });

  it.each([
    [undefined, "65536", "--port '65536': must be a port number 0-65535"],
    [undefined, "-1", "--port '-1': must be a port number 0-65535"],
    [undefined, "1e3", "--port '1e3': must be a port number 0-65535"],
    ["localhost", undefined, "--host 'localhost': not an IP address"],
    ["[::1]", undefined, "--host '[::1]': not an IP address"],
    ["0.0.0.0", undefined, "--host '0.0.0.0': listens on every address of this machine"],
    ["::", "8080", "--host '::': listens on every address of this machine"],
    ["0:0:0:0:0:0:0:0", undefined, "--host '0:0:0:0:0:0:0:0': listens on every address of this machine"],
    ["::ffff:0.0.0.0", undefined, "--host '::ffff:0.0.0.0': listens on every address of this machine"],
  ])("refuses --host %s --port %s", (host, port, message) => {
    expect(() => listenAddress(host, port)).toThrow(message);
  });
});

describe("buildImdsExportSet", () => {
  it("sets the endpoint, region and role marker; clears keys, profiles, web identity, the container endpoint and AWS_EC2_METADATA_DISABLED", () => {
    const set = buildImdsExportSet({ url: "http://127.0.0.1:1234/", region: "eu-central-1", roleArn: ROLE });
    expect(set.set).toEqual([
      ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1234/"],
      ["AWS_REGION", "eu-central-1"],
      ["AWS_DEFAULT_REGION", "eu-central-1"],
      ["ASSUME_ROLE_ARN", ROLE],
    ]);
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED"]) {
      expect(set.unset).toContain(name);
    }
    expect(set.unset).not.toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  });
});
