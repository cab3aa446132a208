import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RefresherAnswer } from "./credential-refresher.js";
import { credentialsReply, routeImdsRequest, type ImdsInstance, type ImdsReply } from "./imds-answer.js";
import { ImdsTokens } from "./imds-protocol.js";

export interface MetadataServerOptions {
  readonly instance: ImdsInstance;
  readonly answer: () => Promise<RefresherAnswer>;
  readonly now: () => Date;
  readonly host: string;
  /** 0 = random. */
  readonly port: number;
}

export interface MetadataServer {
  /** http://HOST:PORT/, the value of AWS_EC2_METADATA_SERVICE_ENDPOINT (loopback when bound to every address). */
  readonly url: string;
  close(): Promise<void>;
}

/** An IMDSv2-only EC2 metadata service on `host:port` serving `instance` and the credentials `answer` gives. */
export async function startMetadataServer(opts: MetadataServerOptions): Promise<MetadataServer> {
  const tokens = new ImdsTokens(() => randomBytes(32).toString("base64url"));
  const server = createServer((req, res) => {
    handle(req).then(
      (reply) => send(res, reply),
      () => send(res, { status: 500, body: "internal error\n", headers: { "content-type": "text/plain" } }),
    );
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage): Promise<ImdsReply> {
    req.resume();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routeImdsRequest({ method: req.method ?? "GET", path, headers: req.headers }, tokens, opts.now(), opts.instance);
    if (route.kind === "reply") return route.reply;
    return credentialsReply(await opts.answer(), route.headers);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${shownHost(address)}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The host to print: the bound address, or loopback when bound to every address (0.0.0.0, ::). */
function shownHost(address: AddressInfo): string {
  if (address.address === "0.0.0.0" || address.address === "::") return "127.0.0.1";
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
