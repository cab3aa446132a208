/** isLoopback: the one loopback test behind console's and the container source's "plain http only to loopback" and serve --imds's warning. */
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
});
