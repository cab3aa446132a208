/**
 * DNS rebinding guard for `serve --imds`: a web page whose domain resolves to 127.0.0.1 reaches the server
 * like any local client, but its browser names that domain in the Host header (and sends Origin on the
 * token PUT). Answering only requests addressed to the bound address itself, with no Origin, keeps pages
 * out while every SDK (which sends Host from AWS_EC2_METADATA_SERVICE_ENDPOINT, and no Origin) gets in.
 */
import { isLoopback } from "../net/is-loopback.js";

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Pure: the Host header values (lower case) a request to `address:port` may carry: `ip:port` (IPv6
 * bracketed), `localhost:port` too when the address is loopback, and each without `:80` on port 80.
 */
export function allowedHosts(address: string, port: number): ReadonlySet<string> {
  const ip = address.includes(":") ? `[${address.toLowerCase()}]` : address;
  const names = isLoopback(address) ? [ip, "localhost"] : [ip];
  return new Set(names.flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`])));
}

/** Pure: whether a request could come from a web page rather than a metadata client (answer 403). */
export function isForeignRequest(headers: Headers, allowed: ReadonlySet<string>): boolean {
  if (headers.origin !== undefined) return true;
  const host = headers.host;
  return typeof host !== "string" || !allowed.has(host.toLowerCase());
}
