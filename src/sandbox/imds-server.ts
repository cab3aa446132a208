/**
 * The IMDS emulator's HTTP side: IMDSv2 session tokens (PUT /latest/api/token), v1/v2 rules and
 * the faults that matter to clients (v1-only, v2-required, unanswered token PUT, service down, no identity document).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkTokenPut, IMDS_TOKEN_PATH as TOKEN_PATH, IMDS_TTL_HEADER as TTL_HEADER, imdsErrorPage, ImdsTokens, presentedToken } from "../serve/imds-protocol.js";
import type { FaultState } from "./faults.js";
import { LocalServer } from "./http-util.js";
import { imdsContent, type ImdsContentContext } from "./imds-content.js";
import { newImdsToken } from "./ids.js";

const IDENTITY_PREFIX = "/latest/dynamic/instance-identity/";

export interface ImdsServerOptions {
  readonly faults: FaultState;
  readonly now: () => Date;
  readonly content: Omit<ImdsContentContext, "now">;
  /** Called for every request with "METHOD PATH". */
  readonly onRequest: (key: string) => void;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export function createImdsServer(opts: ImdsServerOptions): LocalServer {
  const tokens = new ImdsTokens(newImdsToken);
  const server: LocalServer = new LocalServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    opts.onRequest(`${method} ${path}`);
    req.resume();
    const faults = opts.faults.current;
    if (faults.imdsDown) {
      req.socket.destroy();
      return;
    }
    if (path === TOKEN_PATH && method === "PUT" && faults.imdsTokenUnanswered) return; // hang until the client gives up
    // From the request's arrival, with the reply made meanwhile (as for STS, sts-server.ts).
    const answerTime = server.delay(faults.latencyMs);
    const reply =
      // A captive portal answers everything; with v1-only, the token PUT still gets IMDS's 405.
      faults.imdsFault === "html" && !(path === TOKEN_PATH && faults.imdsV1Only)
        ? { status: 200, body: CAPTIVE_PORTAL, headers: { "content-type": "text/html" } }
        : path === TOKEN_PATH
          ? tokenReply(opts, tokens, req)
          : getReply(opts, tokens, req, path);
    await answerTime;
    send(server, res, reply);
  });
  return server;
}

function tokenReply(opts: ImdsServerOptions, tokens: ImdsTokens, req: IncomingMessage): Reply {
  if (opts.faults.current.imdsV1Only) return error(405, "Method Not Allowed");
  const verdict = checkTokenPut(req.method ?? "GET", req.headers);
  if (!verdict.ok) return error(verdict.status, verdict.reason);
  const ttl = verdict.ttlSeconds;
  const token = tokens.issue(ttl, opts.now());
  return { status: 200, body: token, headers: { [TTL_HEADER]: String(ttl) } };
}

function getReply(opts: ImdsServerOptions, tokens: ImdsTokens, req: IncomingMessage, path: string): Reply {
  if (req.method !== "GET" && req.method !== "HEAD") return error(405, "Method Not Allowed");
  if (opts.faults.nextImdsGetRefused()) return error(401, "Unauthorized");
  const now = opts.now();
  const token = presentedToken(req.headers);
  const extra: Record<string, string> = {};
  if (token !== undefined) {
    const left = tokens.remaining(token, now);
    if (left === undefined) return error(401, "Unauthorized");
    extra[TTL_HEADER] = String(left);
  } else if (opts.faults.current.imdsV2Required) {
    return error(401, "Unauthorized");
  }
  const hidden = opts.faults.current.imdsNoIdentityDocument && path.startsWith(IDENTITY_PREFIX);
  const body = hidden ? undefined : imdsContent(path, { ...opts.content, now, fault: opts.faults.current.imdsFault });
  if (body === undefined) return error(404, "Not Found");
  return { status: 200, body, headers: extra };
}

/** What a captive portal or intercepting proxy answers to anything. */
const CAPTIVE_PORTAL = "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body><h1>Please sign in</h1></body></html>\n";

function error(status: number, reason: string): Reply {
  return { status, body: imdsErrorPage(status, reason), headers: { "content-type": "text/html" } };
}

function send(server: LocalServer, res: ServerResponse, reply: Reply): void {
  if (server.closed || res.destroyed) return;
  res.writeHead(reply.status, {
    "content-type": "text/plain",
    "content-length": String(Buffer.byteLength(reply.body)),
    server: "EC2ws",
    ...reply.headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : reply.body);
}
