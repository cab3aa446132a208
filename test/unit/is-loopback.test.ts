/** isLoopback: the one loopback test behind console's and the container source's "plain http only to loopback" and serve --imds's warning. */
import fc from "fast-check";
import { BlockList, isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { isLoopback } from "../../src/net/is-loopback.js";

describe("isLoopback", () => {
  it.each([
    "localhost",
    "LOCALHOST",
    "127.0.0.1",
    "127.0.0.2",
    "127.255.255.255",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "[0:0:0:0:0:0:0:1]",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
  ])("%s is loopback", (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each([
    "",
    "localhost.",
    "localhost.example",
    "127.0.0.256",
    "127.1",
    "[127.0.0.1]",
    "126.255.255.255",
    "128.0.0.1",
    "0.0.0.0",
    "::",
    "[::]",
    "::2",
    "[::1",
    "::ffff:10.0.0.1",
    "169.254.170.2",
    "172.17.0.1",
    "127.0.0.1:8080",
    "evil.example",
  ])("%s is not loopback", (host) => {
    expect(isLoopback(host)).toBe(false);
  });

  it("agrees with node:net's BlockList (127.0.0.0/8, ::1) on every IPv4 and IPv6 address, bracketed or not", () => {
    const reference = new BlockList();
    reference.addSubnet("127.0.0.0", 8, "ipv4");
    reference.addAddress("::1", "ipv6");
    const loopbackish = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom("127.0.0.1", "::1", "::ffff:127.0.0.1", "0::1", "::0:1", "::ffff:7f12:3456"));
    fc.assert(
      fc.property(loopbackish, fc.boolean(), (address, bracket) => {
        const family = isIP(address);
        const expected = family !== 0 && !(bracket && family === 4) && reference.check(address, family === 6 ? "ipv6" : "ipv4");
        expect(isLoopback(bracket ? `[${address}]` : address)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
