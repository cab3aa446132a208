import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthorization, verifySignature, type IncomingSignedRequest } from "../../src/sandbox/sigv4-verify.js";
import { xmlEscape } from "../../src/sandbox/sts-xml.js";

const SECRET = { accessKeyId: "AKIAEXAMPLEEXAMPLE01", secretAccessKey: "secret/EXAMPLE+key0123456789abcdefghijkl" };
const DATE = new Date("2026-01-02T03:04:05Z");

/** Sign like a client would, then hand the sandbox what arrives on the wire. */
interface SignOpts {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  body?: string;
  region?: string;
}

async function signed(opts: SignOpts) {
  const body = opts.body ?? "Action=GetCallerIdentity&Version=2011-06-15";
  const request = new HttpRequest({
    method: opts.method ?? "POST",
    hostname: "127.0.0.1",
    port: 4566,
    path: opts.path ?? "/",
    query: opts.query ?? {},
    headers: { host: "127.0.0.1:4566", "content-type": "application/x-www-form-urlencoded", "user-agent": "test/1" },
    body,
  });
  const region = opts.region ?? "us-east-1";
  const signer = new SignatureV4({ service: "sts", region, sha256: Sha256, credentials: SECRET });
  const out = await signer.sign(request, { signingDate: DATE });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers)) headers[k.toLowerCase()] = String(v);
  const query = new URLSearchParams(opts.query ?? {}).toString();
  const wire: IncomingSignedRequest = {
    method: out.method,
    url: (opts.path ?? "/") + (query ? `?${query}` : ""),
    headers,
    body: Buffer.from(body),
  };
  const auth = parseAuthorization(headers["authorization"] ?? "");
  if (typeof auth === "string") throw new Error(auth);
  return { wire, auth };
}

describe("verifySignature (recomputed with the SDK signer)", () => {
  it("accepts an untouched request, in any region, with or without a query", async () => {
    const cases: SignOpts[] = [
      {},
      { region: "ap-southeast-2" },
      { method: "GET", query: { Action: "GetCallerIdentity", Version: "2011-06-15" }, body: "" },
    ];
    for (const opts of cases) {
      const { wire, auth } = await signed(opts);
      expect(await verifySignature(wire, auth, SECRET, DATE)).toBe(true);
    }
  });

  it("ignores headers that were not signed", async () => {
    const { wire, auth } = await signed({});
    const headers = { ...wire.headers, "x-extra": "1", "user-agent": "other" };
    expect(await verifySignature({ ...wire, headers }, auth, SECRET, DATE)).toBe(true);
  });

  it("rejects a changed body, a changed signed header, another secret, another date", async () => {
    const { wire, auth } = await signed({});
    expect(await verifySignature({ ...wire, body: Buffer.from("Action=AssumeRole") }, auth, SECRET, DATE)).toBe(false);
    const otherHost = { ...wire.headers, host: "127.0.0.1:9999" };
    expect(await verifySignature({ ...wire, headers: otherHost }, auth, SECRET, DATE)).toBe(false);
    expect(await verifySignature(wire, auth, { ...SECRET, secretAccessKey: "x".repeat(40) }, DATE)).toBe(false);
    expect(await verifySignature(wire, auth, SECRET, new Date(DATE.getTime() + 1000))).toBe(false);
  });

  it("parseAuthorization explains malformed headers", () => {
    expect(parseAuthorization("Basic abc")).toMatch(/only AWS4-HMAC-SHA256/);
    const sig = (c: string) => `Signature=${c.repeat(64)}`;
    expect(parseAuthorization(`AWS4-HMAC-SHA256 SignedHeaders=host, ${sig("0")}`)).toMatch(/'Credential'/);
    const shortScope = "Credential=AKIA/20260102/us-east-1/sts";
    expect(parseAuthorization(`AWS4-HMAC-SHA256 ${shortScope}, SignedHeaders=host, ${sig("0")}`)).toMatch(
      /Credential should be of the form/,
    );
    const scope = "Credential=AKIA/20260102/eu-west-1/sts/aws4_request";
    expect(parseAuthorization(`AWS4-HMAC-SHA256 ${scope}, SignedHeaders=Host;X-Amz-Date, ${sig("a")}`)).toEqual({
      accessKeyId: "AKIA",
      scopeDate: "20260102",
      region: "eu-west-1",
      service: "sts",
      signedHeaders: ["host", "x-amz-date"],
      signature: "a".repeat(64),
    });
  });
});

describe("xmlEscape", () => {
  it("leaves no markup characters and round-trips", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const escaped = xmlEscape(s);
        expect(escaped).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|apos);)/);
        const back = escaped
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'")
          .replace(/&amp;/g, "&");
        expect(back).toBe(s);
      }),
    );
  });
});
