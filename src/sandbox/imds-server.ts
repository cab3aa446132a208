/**
 * The IMDS emulator's HTTP side: IMDSv2 session tokens (PUT /latest/api/token), v1/v2 rules and
 * the faults that matter to clients (v1-only, v2-required, unanswered token PUT, service down, no identity document).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultState } from "./faults.js";
import { LocalServer } from "./http-util.js";
import { htmlError, imdsContent, type ImdsContentContext } from "./imds-content.js";
import { newImdsToken } from "./ids.js";

export const TOKEN_PATH = "/latest/api/token";
const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const MAX_TTL_SECONDS = 21600;
const IDENTITY_PREFIX = "/latest/dynamic/instance-identity/";

export interface ImdsServerOptions {
  readonly faults: FaultState;
  readonly now: () => Date;
  readonly content: Omit<ImdsContentContext, "now">;
  /** Called for every request with "METHOD PATH". */
  readonly onRequest: (key: string) => void;
}

/** IMDSv2 session tokens and their expiry (per the sandbox clock). */
export class ImdsTokens {
  readonly #expiresAt = new Map<string, number>();

  issue(ttlSeconds: number, now: Date): string {
    for (const [token, at] of this.#expiresAt) if (at <= now.getTime()) this.#expiresAt.delete(token);
    const token = newImdsToken();
    this.#expiresAt.set(token, now.getTime() + ttlSeconds * 1000);
    return token;
  }

  /** Seconds left, or undefined when the token is unknown or expired. */
  remaining(token: string, now: Date): number | undefined {
    const at = this.#expiresAt.get(token);
    if (at === undefined || at <= now.getTime()) return undefined;
    return Math.ceil((at - now.getTime()) / 1000);
  }
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export function createImdsServer(opts: ImdsServerOptions): LocalServer {
  const tokens = new ImdsTokens();
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
    const reply =
      // A captive portal answers everything; with v1-only, the token PUT still gets IMDS's 405.
      faults.imdsFault === "html" && !(path === TOKEN_PATH && faults.imdsV1Only)
        ? { status: 200, body: CAPTIVE_PORTAL, headers: { "content-type": "text/html" } }
        : path === TOKEN_PATH
          ? tokenReply(opts, tokens, req)
          : getReply(opts, tokens, req, path);
    await server.delay(faults.latencyMs);
    send(server, res, reply);
  });
  return server;
}

function tokenReply(opts: ImdsServerOptions, tokens: ImdsTokens, req: IncomingMessage): Reply {
  if (req.method !== "PUT" || opts.faults.current.imdsV1Only) return error(405, "Method Not Allowed");
  if (req.headers["x-forwarded-for"] !== undefined) return error(403, "Forbidden");
  const ttlText = header(req, TTL_HEADER);
  const ttl = ttlText !== undefined && /^\d+$/.test(ttlText) ? Number(ttlText) : NaN;
  if (!(ttl >= 1 && ttl <= MAX_TTL_SECONDS)) return error(400, "Missing or Invalid Parameters");
  const token = tokens.issue(ttl, opts.now());
  return { status: 200, body: token, headers: { [TTL_HEADER]: String(ttl) } };
}

function getReply(opts: ImdsServerOptions, tokens: ImdsTokens, req: IncomingMessage, path: string): Reply {
  if (req.method !== "GET" && req.method !== "HEAD") return error(405, "Method Not Allowed");
  if (opts.faults.nextImdsGetRefused()) return error(401, "Unauthorized");
  const now = opts.now();
  const token = header(req, TOKEN_HEADER);
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

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function error(status: number, reason: string): Reply {
  return { status, body: htmlError(status, reason), headers: { "content-type": "text/html" } };
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
