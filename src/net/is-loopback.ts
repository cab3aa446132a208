import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Pure: whether `host` names this machine's loopback interface: `localhost`, an address in 127.0.0.0/8 or
 * ::1 (any spelling node:net accepts, IPv4-mapped too), an IPv6 address bracketed or not (URL.hostname
 * keeps the brackets). Any other name or address, and anything that is not one, is not loopback.
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  const bare = h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
  const family = isIP(bare);
  if (family === 0 || (family === 4 && bare !== h)) return false;
  return LOOPBACK.check(bare, family === 6 ? "ipv6" : "ipv4");
}
