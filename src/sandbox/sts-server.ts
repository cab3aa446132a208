/** The STS emulator's HTTP side: body in, latency fault, XML out with STS's headers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer, flatHeaders, readBody } from "./http-util.js";
import { handleStsRequest, type StsHandlerContext, type StsRequestRecord } from "./sts-handler.js";

export interface StsServerOptions extends StsHandlerContext {
  /** Called for every request, after the response is decided. */
  readonly onRequest: (record: StsRequestRecord) => void;
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
  await server.delay(opts.faults.current.latencyMs);
  if (server.closed || res.destroyed) return;
  res.sendDate = false;
  res.writeHead(out.status, {
    "content-type": "text/xml",
    "content-length": String(Buffer.byteLength(out.body)),
    "x-amzn-requestid": out.requestId,
    // The SDKs correct clock skew from this header, so it follows the sandbox clock.
    date: opts.now().toUTCString(),
  });
  res.end(out.body);
}
