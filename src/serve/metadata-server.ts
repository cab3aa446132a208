import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RefresherAnswer } from "./credential-refresher.js";
import { allowedHosts } from "./allowed-hosts.js";
import { credentialsReply, routeImdsRequest, type ImdsInstance, type ImdsReply } from "./imds-answer.js";
import { ImdsTokens } from "./imds-protocol.js";

export interface MetadataContent {
  readonly instance: ImdsInstance;
  readonly answer: () => Promise<RefresherAnswer>;
  readonly now: () => Date;
}

export interface MetadataServer {
  /** http://HOST:PORT/ of the bound address, the value of AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  readonly url: string;
  /** Start answering as an IMDSv2-only metadata service (until then, nobody has been told the URL). */
  serve(content: MetadataContent): void;
  close(): Promise<void>;
}

/**
 * Bind `host:port` (0 = random) first, so a taken port or a foreign address fails before the chain runs;
 * `serve` then answers with `content.instance` and the credentials `content.answer` gives.
 */
export async function listenMetadataServer(host: string, port: number): Promise<MetadataServer> {
  const server = createServer();
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${shownHost(address)}:${address.port}/`,
    serve: (content) => {
      const tokens = new ImdsTokens(() => randomBytes(32).toString("base64url"));
      const hosts = allowedHosts(address.address, address.port);
      server.on("request", (req: IncomingMessage, res: ServerResponse) => {
        handle(content, tokens, hosts, req).then(
          (reply) => send(res, reply),
          () => send(res, { status: 500, body: "internal error\n", headers: { "content-type": "text/plain" } }),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(content: MetadataContent, tokens: ImdsTokens, hosts: ReadonlySet<string>, req: IncomingMessage): Promise<ImdsReply> {
  req.resume();
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const route = routeImdsRequest({ method: req.method ?? "GET", path, headers: req.headers }, tokens, content.now(), content.instance, hosts);
  if (route.kind === "reply") return route.reply;
  return credentialsReply(await content.answer(), route.headers);
}

/** The bound address as a URL's host. */
function shownHost(address: AddressInfo): string {
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

function send(res: ServerResponse, reply: ImdsReply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, {
    "content-length": String(Buffer.byteLength(reply.body)),
    "cache-control": "no-store",
    server: "EC2ws",
    ...reply.headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : reply.body);
}
