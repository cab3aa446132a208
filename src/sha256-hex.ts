import { Sha256 } from "@aws-crypto/sha256-js";

/**
 * SHA-256 of a string's UTF-8 bytes, in hex. Pure JavaScript (@aws-crypto/sha256-js, the SDK's own) instead of
 * node:crypto: loading that module is a sixth of node's start-up (callgrind), more than a cache hit spends on
 * hashing its few hundred bytes of keys.
 */
export function sha256Hex(text: string): string {
  const hash = new Sha256();
  hash.update(text);
  return Buffer.from(hash.digestSync()).toString("hex");
}
