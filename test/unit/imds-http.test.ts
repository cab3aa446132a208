import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createImdsRequest } from "../../src/imds/imds-http.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback server that counts the connections it accepts and the headers it saw. */
async function serve(handler: Handler): Promise<{ url: string; connections: () => number; seen: IncomingMessage["headers"][] }> {
  let connections = 0;
  const seen: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  server.on("connection", () => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, seen };
}

const get = (url: string, timeoutMs = 2000) => ({ method: "GET" as const, url, headers: {}, timeoutMs });

describe("IMDS transport on node:http", () => {
  it("every request of a run reuses one kept-alive connection", async () => {
    const srv = await serve((req, res) => res.end(`you asked ${req.url}`));
    const request = createImdsRequest();
    for (const path of ["/a", "/b", "/c"]) {
      expect(await request(get(srv.url + path))).toEqual({ kind: "response", status: 200, body: `you asked ${path}` });
    }
    expect(srv.connections()).toBe(1);
  });

  it("parallel requests use at most maxSockets connections", async () => {
    const srv = await serve((_req, res) => setTimeout(() => res.end("ok"), 20));
    const request = createImdsRequest({ maxSockets: 2 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => request(get(srv.url + "/x"))));
    expect(outcomes.every((o) => o.kind === "response" && o.status === 200)).toBe(true);
    expect(srv.connections()).toBe(2);
  });

  it("the token PUT goes out with an empty body and the given headers", async () => {
    const srv = await serve((_req, res) => res.end("tok"));
    const request = createImdsRequest();
    const outcome = await request({ method: "PUT", url: srv.url + "/latest/api/token", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" }, timeoutMs: 2000 });
    expect(outcome).toEqual({ kind: "response", status: 200, body: "tok" });
    expect(srv.seen[0]).toMatchObject({ "content-length": "0", "x-aws-ec2-metadata-token-ttl-seconds": "21600" });
    expect(srv.seen[0]!["transfer-encoding"]).toBeUndefined();
  });

  it("does not follow redirects (they would carry the session token elsewhere)", async () => {
    let followed = false;
    const srv = await serve((req, res) => {
      if (req.url === "/elsewhere") followed = true;
      res.writeHead(301, { location: "/elsewhere" }).end();
    });
    expect(await createImdsRequest()(get(srv.url + "/latest/meta-data/"))).toEqual({ kind: "response", status: 301, body: "" });
    expect(followed).toBe(false);
  });

  it("caps the body: a flood (declared or streamed) is cut off, not buffered", async () => {
    const big = "x".repeat(100_000);
    const declared = await serve((_req, res) => res.end(big));
    expect(await createImdsRequest()(get(declared.url))).toEqual({ kind: "oversized", limitBytes: 65536 });
    const streamed = await serve((_req, res) => {
      res.writeHead(200); // chunked: no content-length
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write("y".repeat(16_384))), 1);
    });
    expect(await createImdsRequest({ maxBodyBytes: 1000 })(get(streamed.url))).toEqual({ kind: "oversized", limitBytes: 1000 });
  });

  it("no answer within the timeout is a timeout, whether the headers or the body never come", async () => {
    const silent = await serve(() => {});
    const started = Date.now();
    expect(await createImdsRequest()(get(silent.url, 150))).toEqual({ kind: "timeout", waitedMs: 150 });
    expect(Date.now() - started).toBeLessThan(1000);
    const stalls = await serve((_req, res) => res.writeHead(200, { "content-length": "10" }).write("12345"));
    expect(await createImdsRequest()(get(stalls.url, 150))).toEqual({ kind: "timeout", waitedMs: 150 });
  });

  it("a refused connection is an error with its code", async () => {
    const srv = await serve(() => {});
    const url = srv.url;
    await new Promise((r) => servers.pop()!.close(r));
    expect(await createImdsRequest()(get(url))).toEqual({ kind: "error", code: "ECONNREFUSED" });
  });

  it("a kept-alive connection the server dropped is replaced: the request is sent again on a new one", async () => {
    const sockets = new Set<Socket>();
    const srv = await serve((req, res) => {
      // The second request on the first connection: the server hangs up without answering, as one closing an idle socket does.
      if (sockets.has(req.socket)) return void req.socket.destroy();
      sockets.add(req.socket);
      res.end("ok");
    });
    const request = createImdsRequest();
    expect(await request(get(srv.url + "/one"))).toMatchObject({ kind: "response", status: 200 });
    expect(await request(get(srv.url + "/two"))).toMatchObject({ kind: "response", status: 200, body: "ok" });
    expect(srv.connections()).toBe(2);
  });
});
