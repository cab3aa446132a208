/**
 * The STS edge (create-sts.ts + sts-answer.ts) against answers no sandbox fault produces: small loopback
 * servers answer each request with a crafted response; the SDK reads it; what comes out must be a
 * BadAnswerError (exit 6) with one line, or the credentials when the answer is right.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadAnswerError, ThrottledError } from "../../src/errors.js";
import { createSts } from "../../src/sts/create-sts.js";
import { mapStsError } from "../../src/sts/map-sts-error.js";

const ROLE = "arn:aws:iam::111111111111:role/Deploy";
const HOUR = 3600_000;
let reply: (req: IncomingMessage, res: ServerResponse) => void = () => {};
let server: Server;
let endpoint = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => reply(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function answer(status: number, contentType: string | undefined, body: string, headers: Record<string, string> = {}) {
  reply = (_req, res) => res.writeHead(status, { ...(contentType ? { "content-type": contentType } : {}), ...headers }).end(body);
}

function assumeRoleXml(expiration: Date): string {
  return (
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
    `<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/Deploy/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>` +
    `<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>` +
    `<Expiration>${expiration.toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`
  );
}

/** AssumeRole through the real SDK client, one attempt, with `now` as this machine's clock; the error as the user gets it. */
async function assume(now: () => Date = () => new Date()) {
  const sts = createSts({ region: "us-east-1", endpoint, credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "s" }, maxAttempts: 1 }, now);
  try {
    return { ok: await sts.assumeRole({ RoleArn: ROLE, RoleSessionName: "s" }) };
  } catch (err) {
    return { error: mapStsError(err, { operation: "AssumeRole", roleArn: ROLE, endpoint }) };
  }
}

describe("answers that are not STS answers → exit 6, one line naming STS and the call", () => {
  it.each([
    ["HTML 403 from a proxy (the SDK reads it as error code 'Unknown')", 403, "text/html", "<html><body><h1>Forbidden</h1></body></html>", "with an HTML page (HTTP 403 text/html), not an STS answer"],
    ["HTML 200 from a captive portal", 200, "text/html; charset=utf-8", "<html><body>Sign in</body></html>", "with an HTML page (HTTP 200 text/html), not an STS answer"],
    ["plain-text 502", 502, "text/plain", "Bad Gateway\n", "with something that is not an STS answer (HTTP 502 text/plain)"],
    ["JSON 200", 200, "application/json", '{"ok":true}', "with something that is not an STS answer (HTTP 200 application/json)"],
    ["an empty 200", 200, "text/xml", "", "with no Credentials (HTTP 200 text/xml)"],
    ["XML cut off", 200, "text/xml", assumeRoleXml(new Date(Date.now() + HOUR)).slice(0, 150), "with XML that does not parse (HTTP 200 text/xml: "],
  ])("%s", async (_name, status, type, body, says) => {
    answer(status, type, body);
    const { error } = await assume();
    expect(error).toBeInstanceOf(BadAnswerError);
    expect(error!.exitCode).toBe(6);
    expect(error!.message).toContain(`STS answered AssumeRole ${ROLE} ${says}`);
    expect(error!.message).not.toContain("\n");
    expect(error!.hint).toBeDefined();
  });

  it("an empty 500 is STS unavailable (exit 7), as before", async () => {
    answer(500, undefined, "");
    const { error } = await assume();
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error!.message).toBe(`STS unavailable (HTTP 500) on AssumeRole ${ROLE} after 1 attempt`);
  });
});

describe("credentials expired on arrival", () => {
  it("this machine's clock ahead of STS's Date header: names the skew in minutes", async () => {
    const stsNow = new Date(Math.floor(Date.now() / 1000) * 1000);
    answer(200, "text/xml", assumeRoleXml(new Date(stsNow.getTime() + HOUR)), { date: stsNow.toUTCString() });
    const { error } = await assume(() => new Date(stsNow.getTime() + 2 * HOUR));
    expect(error).toBeInstanceOf(BadAnswerError);
    expect(error!.message).toMatch(/^STS answered AssumeRole \S+ with credentials that expire at \S+, already past by this machine's clock \S+: it runs 120 min ahead of STS's \(\S+\)$/);
    expect(error!.hint).toMatch(/^clock skew/);
  });

  it("expired by STS's own clock too: the answer is wrong, the clock still named", async () => {
    const stsNow = new Date();
    answer(200, "text/xml", assumeRoleXml(new Date(stsNow.getTime() - HOUR)), { date: stsNow.toUTCString() });
    const { error } = await assume();
    expect(error!.message).toMatch(/with credentials that had already expired at \S+ \(by this machine's clock \S+ and by STS's own \S+\)$/);
    expect(error!.hint).toContain("clock skew");
  });

  it("a right answer still comes through (the clock checks are not in the way)", async () => {
    answer(200, "text/xml", assumeRoleXml(new Date(Date.now() + HOUR)), { date: new Date().toUTCString() });
    const { ok, error } = await assume();
    expect(error).toBeUndefined();
    expect(ok).toMatchObject({ assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Deploy/s", credentials: { accessKeyId: "ASIAEXAMPLE" } });
  });
});

describe("credentials still on their way (a hop sent before its caller answered)", () => {
  const signers: string[] = [];
  const recording = () => {
    signers.length = 0;
    const body = assumeRoleXml(new Date(Date.now() + HOUR));
    reply = (req, res) => {
      signers.push(`${/Credential=(\w+)\//.exec(req.headers.authorization ?? "")?.[1]} ${req.headers["x-amz-security-token"]}`);
      res.writeHead(200, { "content-type": "text/xml" }).end(body);
    };
  };

  it("nothing reaches STS until they come; the request is then signed with them", async () => {
    recording();
    let give!: (c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => void;
    const credentials = new Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }>((resolve) => (give = resolve));
    const sts = createSts({ region: "us-east-1", endpoint, credentials, maxAttempts: 1 });
    const sent = sts.assumeRole({ RoleArn: ROLE, RoleSessionName: "s" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(signers).toEqual([]);
    give({ accessKeyId: "ASIACALLER", secretAccessKey: "s", sessionToken: "caller-token" });
    expect((await sent).credentials.accessKeyId).toBe("ASIAEXAMPLE");
    expect(signers).toEqual(["ASIACALLER caller-token"]);
  });

  it("credentials that fail: nothing reaches STS, and the caller's error is the one the request fails with", async () => {
    recording();
    const down = new Error("IMDS did not answer");
    const failing = Promise.reject(down);
    failing.catch(() => undefined); // the chain reports the caller's failure itself (chain/run-hop.ts)
    const sts = createSts({ region: "us-east-1", endpoint, credentials: failing, maxAttempts: 3 });
    await expect(sts.assumeRole({ RoleArn: ROLE, RoleSessionName: "s" })).rejects.toBe(down);
    expect(signers).toEqual([]);
  });
});
