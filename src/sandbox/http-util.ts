/** node:http plumbing shared by the IMDS and STS emulators. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A listening server plus the bookkeeping to shut it down promptly (open sockets, pending timers). */
export class LocalServer {
  readonly server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  /** TCP connections accepted (a client that keeps its connection alive opens one for many requests). */
  connections = 0;

  constructor(handler: Handler) {
    this.server = createServer((req, res) => {
      handler(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end("internal sandbox error\n");
        } else {
          res.destroy();
        }
      });
    });
    this.server.on("connection", () => void this.connections++);
    // Kept-alive sockets are closed by close() (closeAllConnections), so clients may keep them a while.
    this.server.keepAliveTimeout = 5000;
  }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${shownHost}:${address.port}`;
  }

  /** Resolves after `ms` (immediately for 0); cancelled (never resolves) when the server closes. */
  delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }
}

/** Header values as single strings under lower-case names (repeated headers joined by ", "). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
