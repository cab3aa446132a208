/**
 * The IMDS transport: one HTTP exchange on node:http, not undici's `fetch`, whose first use costs tens
 * of milliseconds of start-up. main.ts creates one per run; its keep-alive agent lets every IMDS request
 * of the run reuse the same few connections. node:http(s) is loaded on the first request only.
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from "node:http";

export interface ImdsHttpRequest {
  readonly method: "GET" | "PUT";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** From sending the request to the last byte of the body. */
  readonly timeoutMs: number;
}

export type ImdsHttpOutcome =
  | { readonly kind: "response"; readonly status: number; readonly body: string }
  | { readonly kind: "timeout"; readonly waitedMs: number }
  /** The body went past the cap: whatever answered is not a metadata service. */
  | { readonly kind: "oversized"; readonly limitBytes: number }
  | { readonly kind: "error"; readonly code: string };

/** Performs one IMDS request; never throws. Redirects are answers like any other (never followed). */
export type ImdsRequest = (request: ImdsHttpRequest) => Promise<ImdsHttpOutcome>;

export interface ImdsTransportOptions {
  /**
   * Connections per run. After the token, a chain asks at most four independent things at once (role
   * listing, instance ID, region, iam/info); four sockets let those run in parallel, later requests reuse them.
   */
  readonly maxSockets?: number | undefined;
  /** The largest body accepted; IMDS documents are a few hundred bytes. */
  readonly maxBodyBytes?: number | undefined;
}

const IMDS_MAX_SOCKETS = 4;
const IMDS_MAX_BODY_BYTES = 64 * 1024;

interface Transport {
  readonly request: (url: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;
  readonly agent: Agent;
}

export function createImdsRequest(options: ImdsTransportOptions = {}): ImdsRequest {
  const maxSockets = options.maxSockets ?? IMDS_MAX_SOCKETS;
  const maxBodyBytes = options.maxBodyBytes ?? IMDS_MAX_BODY_BYTES;
  const transports = new Map<string, Promise<Transport>>();
  const transportFor = (protocol: string): Promise<Transport> => {
    let t = transports.get(protocol);
    if (t === undefined) {
      t = loadTransport(protocol, maxSockets);
      transports.set(protocol, t);
    }
    return t;
  };
  return async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { kind: "error", code: "invalid URL" };
    }
    const transport = await transportFor(url.protocol);
    const started = Date.now();
    const first = await exchange(transport, url, req, req.timeoutMs, maxBodyBytes);
    // A kept-alive connection the server closed while idle fails at once, before any answer:
    // that is not an answer from IMDS, so the request is sent again on a new connection.
    if (first.kind === "error" && first.reusedSocket) {
      const left = req.timeoutMs - (Date.now() - started);
      if (left > 0) return strip(await exchange(transport, url, req, left, maxBodyBytes));
    }
    return strip(first);
  };
}

async function loadTransport(protocol: string, maxSockets: number): Promise<Transport> {
  const mod = protocol === "https:" ? await import("node:https") : await import("node:http");
  const agent = new mod.Agent({ keepAlive: true, maxSockets });
  return { request: (url, options, onResponse) => mod.request(url, options, onResponse), agent };
}

type Exchanged = ImdsHttpOutcome & { readonly reusedSocket?: boolean };

function strip(outcome: Exchanged): ImdsHttpOutcome {
  if (outcome.kind !== "error") return outcome;
  return { kind: "error", code: outcome.code };
}

function exchange(transport: Transport, url: URL, req: ImdsHttpRequest, timeoutMs: number, maxBodyBytes: number): Promise<Exchanged> {
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const finish = (outcome: Exchanged): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers: Record<string, string> = { ...req.headers };
    if (req.method === "PUT") headers["content-length"] = "0";
    const request = transport.request(url, { method: req.method, headers, agent: transport.agent }, (res) => {
      answered = true;
      const declared = Number(res.headers["content-length"]);
      if (declared > maxBodyBytes) {
        finish({ kind: "oversized", limitBytes: maxBodyBytes });
        request.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          finish({ kind: "oversized", limitBytes: maxBodyBytes });
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => finish({ kind: "response", status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (err: NodeJS.ErrnoException) => finish({ kind: "error", code: err.code ?? err.message }));
      res.on("close", () => finish({ kind: "error", code: "ECONNRESET" }));
    });
    request.on("error", (err: NodeJS.ErrnoException) => {
      finish({ kind: "error", code: err.code ?? err.message, reusedSocket: request.reusedSocket && !answered });
    });
    // A busy process (e.g. loading modules on a saturated host) runs expired timers before it polls for
    // I/O: let one poll phase deliver an answer that is already there before calling it a timeout.
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        finish({ kind: "timeout", waitedMs: timeoutMs });
        request.destroy();
      });
    }, timeoutMs);
    request.end();
  });
}
