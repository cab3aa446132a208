import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, NoCredentialsError } from "../../src/errors.js";
import { containerEndpoint, containerSource, isAllowedHttpHost, type ContainerDeps } from "../../src/sources/container-source.js";
import { SourceSkipped } from "../../src/sources/source-skipped.js";
import { ROOT } from "../helpers/cli.js";

const CONFORMANCE = join(ROOT, "..", "shared", "conformance", "ecs-tests.json");
const haveConformance = existsSync(CONFORMANCE);
if (!haveConformance) console.warn(`skipping the ecs-tests.json conformance cases: ${CONFORMANCE} is absent`);

interface EcsCase {
  docs: string;
  env: Record<string, string>;
  result: { Ok?: string; ErrorContains?: string };
}
const cases: EcsCase[] = haveConformance ? (JSON.parse(readFileSync(CONFORMANCE, "utf8")) as { tests: EcsCase[] }).tests : [];

describe.skipIf(!haveConformance)("container URI selection: ../shared/conformance/ecs-tests.json", () => {
  it.each(cases.map((c) => [c.docs, c] as const))("%s", (_docs, c) => {
    if (c.result.Ok !== undefined) {
      expect(containerEndpoint(c.env).url.href).toBe(new URL(c.result.Ok).href);
      return;
    }
    // "not enabled" lets `auto` move on; a malformed URI is a configuration error.
    const expected = Object.keys(c.env).length === 0 ? SourceSkipped : ConfigError;
    expect(() => containerEndpoint(c.env)).toThrow(expected);
  });
});

describe("container URI rules beyond the conformance file", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"])("http to %s is allowed", (host) => {
    expect(isAllowedHttpHost(host)).toBe(true);
    expect(containerEndpoint({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://${host}:8080/creds` }).url.hostname).toBe(host);
  });

  it.each(["http://169.254.169.254/creds", "http://10.0.0.1/creds", "http://127.0.0.256/creds", "http://example.com/creds", "ftp://127.0.0.1/creds"])( // refused URLs: never contacted
    "%s is refused",
    (uri) => {
      expect(() => containerEndpoint({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri })).toThrow(ConfigError);
    },
  );

  it("a RELATIVE_URI must be a path: no way to move the host", () => {
    expect(() => containerEndpoint({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "@evil.example/x" })).toThrow(ConfigError);
  });
});

describe("containerSource against a loopback endpoint", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  const CREDS = { AccessKeyId: "ASIACONTAINER", SecretAccessKey: "container-secret", Token: "container-token", Expiration: "2030-01-01T00:00:00Z" };

  async function stub(answer: (headers: IncomingHttpHeaders, n: number) => [number, string]) {
    const seen: IncomingHttpHeaders[] = [];
    server = createServer((req, res) => {
      seen.push(req.headers);
      const [status, body] = answer(req.headers, seen.length);
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/credentials?id=abc`, seen };
  }

  function deps(env: Record<string, string>, sleeps: number[] = []): ContainerDeps & { secrets: string[] } {
    const secrets: string[] = [];
    return {
      env,
      readFile: (p) => readFile(p, "utf8"),
      fetch: globalThis.fetch,
      protectSecret: (s) => secrets.push(s),
      debug: () => {},
      sleep: async (ms) => void sleeps.push(ms),
      secrets,
    };
  }

  it("fetches the four fields; and the caller is the role the endpoint names", async () => {
    const { uri, seen } = await stub(() => [200, JSON.stringify({ ...CREDS, RoleArn: "arn:aws:iam::123456789012:role/TaskRole" })]);
    const d = deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri });
    const result = await containerSource(d);
    expect(result).toEqual({
      kind: "container",
      credentials: { accessKeyId: "ASIACONTAINER", secretAccessKey: "container-secret", sessionToken: "container-token", expiration: new Date(CREDS.Expiration) },
      accountId: "123456789012",
      partition: "aws",
    });
    expect(seen[0]!.authorization).toBeUndefined();
    expect(d.secrets).toEqual(["container-secret", "container-token"]);
  });

  it("sends AWS_CONTAINER_AUTHORIZATION_TOKEN; the token file wins and is re-read on every request", async () => {
    const { uri, seen } = await stub((h) => (h.authorization?.startsWith("file-") || h.authorization === "plain" ? [200, JSON.stringify(CREDS)] : [403, '{"Message":"no"}']));
    await containerSource(deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: "plain" }));
    const file = join(await mkdtemp(join(tmpdir(), "assume-role-ecs-")), "token");
    await writeFile(file, "file-one");
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: "plain", AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file };
    await containerSource(deps(env));
    await writeFile(file, "file-two");
    await containerSource(deps(env));
    expect(seen.map((h) => h.authorization)).toEqual(["plain", "file-one", "file-two"]);
  });

  it.each([
    ["a token with a trailing newline (file)", "file", "s3cr3t-value\n"],
    ["a token with CR LF (variable)", "var", "s3cr3t-value\r\nX-Injected: 1"],
  ])("refuses %s before any request", async (_name, where, value) => {
    const { uri, seen } = await stub(() => [200, JSON.stringify(CREDS)]);
    const env: Record<string, string> = { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri };
    if (where === "file") {
      env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = join(await mkdtemp(join(tmpdir(), "assume-role-ecs-")), "t");
      await writeFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, value);
    } else {
      env.AWS_CONTAINER_AUTHORIZATION_TOKEN = value;
    }
    const err = (await containerSource(deps(env)).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("CR or LF");
    expect(err.message).not.toContain("s3cr3t");
    expect(seen).toHaveLength(0);
  });

  it("retries 5xx three times 1 s apart, then fails with exit 3", async () => {
    const sleeps: number[] = [];
    const { uri, seen } = await stub(() => [500, '{"code":"Internal","message":"agent busy"}']);
    const err = (await containerSource(deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri }, sleeps)).catch((e: unknown) => e)) as NoCredentialsError;
    expect(err).toBeInstanceOf(NoCredentialsError);
    expect(err.message).toContain("after 3 attempts (HTTP 500: Internal: agent busy)");
    expect(err.message).not.toContain("id=abc");
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("a recovered endpoint answers on a later attempt; a 4xx fails at once", async () => {
    const { uri } = await stub((_h, n) => (n < 3 ? [503, ""] : [200, JSON.stringify(CREDS)]));
    expect((await containerSource(deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri }))).credentials.accessKeyId).toBe("ASIACONTAINER");
    await new Promise<void>((r) => server!.close(() => r()));
    const denied = await stub(() => [401, '{"Code":"Denied","Message":"bad token"}']);
    const err = (await containerSource(deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: denied.uri })).catch((e: unknown) => e)) as NoCredentialsError;
    expect(err.message).toContain("HTTP 401: Denied: bad token");
    expect(err.hint).toContain("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    expect(denied.seen).toHaveLength(1);
  });

  it.each(["not json", "{}", JSON.stringify({ ...CREDS, Expiration: "soon" })])("refuses the answer %s", async (body) => {
    const { uri } = await stub(() => [200, body]);
    await expect(containerSource(deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri }))).rejects.toThrow(NoCredentialsError);
  });

  it("nothing set: skipped, so `auto` moves on", async () => {
    await expect(containerSource(deps({}))).rejects.toThrow(SourceSkipped);
  });
});
