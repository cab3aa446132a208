const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9a-f:.]+$/;

/**
 * Pure: whether `host` names this machine's loopback interface: `localhost`, an address in 127.0.0.0/8 or
 * ::1 (any spelling of it, IPv4-mapped too), an IPv6 address bracketed or not (URL.hostname keeps the brackets).
 * Any other name or address, and anything that is not one, is not loopback.
 *
 * No node:net (BlockList, isIP): this runs on every run that reads a container endpoint's URI, and loading net
 * costs a cache hit a tenth of its start-up. IPv6 spellings are made canonical by the WHATWG URL parser.
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  const bracketed = h.startsWith("[") && h.endsWith("]");
  const bare = bracketed ? h.slice(1, -1) : h;
  const v4 = IPV4.exec(bare);
  if (v4 !== null) return !bracketed && v4.slice(1).every((octet) => Number(octet) <= 255) && Number(v4[1]) === 127;
  if (!bare.includes(":") || !IPV6_CHARS.test(bare)) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare}]/`).hostname;
  } catch {
    return false;
  }
  return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}
