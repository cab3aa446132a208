/** The STS emulator's HTTP side: body in, latency fault, XML out with STS's headers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleFederation, type FederationRecord, type FederationTokens } from "./federation.js";
import { LocalServer, flatHeaders, readBody } from "./http-util.js";
import { handleStsRequest, type StsHandlerContext, type StsRequestRecord } from "./sts-handler.js";

/** The console federation endpoint's path on the STS server. */
export const FEDERATION_PATH = "/federation";

export interface StsServerOptions extends StsHandlerContext {
  /** Called for every request, after the response is decided. */
  readonly onRequest: (record: StsRequestRecord) => void;
  /** Sign-in tokens of the federation endpoint (GET /federation). */
  readonly federationTokens: FederationTokens;
  readonly onFederationRequest: (record: FederationRecord) => void;
}

export function createStsServer(opts: StsServerOptions): LocalServer {
  const server: LocalServer = new LocalServer((req, res) => serve(opts, server, req, res));
  return server;
}

async function serve(
  opts: StsServerOptions,
  server: LocalServer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  if (url.pathname === FEDERATION_PATH) {
    const answer = handleFederation({ issued: opts.issued, tokens: opts.federationTokens, now: opts.now }, req.method ?? "GET", url.searchParams);
    opts.onFederationRequest(answer.record);
    res.writeHead(answer.status, { "content-type": answer.contentType, "cache-control": "no-store" });
    res.end(answer.body);
    return;
  }
  // The latency counts from the request's arrival: the sandbox's own work (SigV4, policies) happens within it, so
  // an answer takes what --latency says, as a remote service seen over the network would.
  const answerTime = server.delay(opts.faults.current.latencyMs);
  const body = await readBody(req);
  if (body === undefined) {
    res.writeHead(413, { "content-type": "text/plain" });
    res.end("request body too large\n");
    return;
  }
  const out = await handleStsRequest(opts, {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: flatHeaders(req),
    body,
  });
  opts.onRequest(out.record);
  if (out.wire === "hang") return; // read, never answered; close() drops the socket
  await answerTime;
  if (server.closed || res.destroyed) return;
  if (out.wire === "reset") {
    req.socket.resetAndDestroy();
    return;
  }
  const [contentType, text] = out.wire === "html-502" ? ["text/html", PROXY_502] : ["text/xml", out.body];
  // truncated: a complete HTTP message whose XML stops half-way.
  const sent = out.wire === "truncated" ? Buffer.from(text).subarray(0, Math.floor(Buffer.byteLength(text) / 2)) : Buffer.from(text);
  res.sendDate = false;
  res.writeHead(out.status, {
    "content-type": contentType,
    "content-length": String(sent.length),
    ...(out.wire === "html-502" ? { server: "nginx" } : { "x-amzn-requestid": out.requestId }),
    // The SDKs correct clock skew from this header, so it follows the sandbox clock.
    date: opts.now().toUTCString(),
  });
  res.end(sent);
}

/** What a proxy in front of an unreachable upstream answers. */
const PROXY_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
