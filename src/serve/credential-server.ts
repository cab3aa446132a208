import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isoSeconds } from "../iso-seconds.js";
import type { RefresherAnswer } from "./credential-refresher.js";

export const CREDENTIALS_PATH = "/credentials";

/** 32 random bytes, base64url: 43 characters of [A-Za-z0-9_-], so never a CR or LF in a header. */
export function newAuthToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Constant time whatever the input: both sides are hashed to 32 bytes first, so lengths leak nothing. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(presented ?? ""), digest(expected)) && presented !== undefined;
}

export interface CredentialServerOptions {
  readonly token: string;
  readonly answer: () => Promise<RefresherAnswer>;
  /** Default 127.0.0.1; port 0 = random. */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

export interface CredentialServer {
  /** http://127.0.0.1:PORT/credentials, the value of AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The ECS container-credentials endpoint on loopback: GET with `Authorization: <token>` answers
 * {"AccessKeyId","SecretAccessKey","Token","Expiration"}; any request without the exact token gets
 * 403 before anything else is looked at; a renewal failure with nothing valid left to serve is a 503.
 */
export async function startCredentialServer(opts: CredentialServerOptions): Promise<CredentialServer> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch(() => send(res, 500, { message: "internal error" }));
  });
  server.keepAliveTimeout = 5_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}${CREDENTIALS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(opts: CredentialServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  if (!tokenMatches(req.headers.authorization, opts.token)) {
    return send(res, 403, { message: "missing or wrong Authorization token" });
  }
  if (req.method !== "GET") return send(res, 405, { message: "only GET is supported" }, { allow: "GET" });
  if ((req.url ?? "").split("?")[0] !== CREDENTIALS_PATH) return send(res, 404, { message: `no such path; use ${CREDENTIALS_PATH}` });
  const answer = await opts.answer();
  if (!answer.ok) return send(res, 503, { message: answer.message });
  const c = answer.credentials;
  send(res, 200, {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  });
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}
