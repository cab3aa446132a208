import { describe, expect, it } from "vitest";
import { ImdsClient } from "../../src/imds/imds-client.js";
import { imdsConfigFromEnv } from "../../src/imds/imds-config.js";
import type { ImdsHttpOutcome, ImdsHttpRequest, ImdsRequest } from "../../src/imds/imds-http.js";

const ENDPOINT = "http://imds.test";
const LIST = "/latest/meta-data/iam/security-credentials/";

type Answer = ImdsHttpOutcome | ((req: ImdsHttpRequest) => ImdsHttpOutcome);

/**
 * A scripted transport: per "METHOD PATH", the outcomes in order (the last one repeats). A timeout outcome
 * reports the timeout the client asked for, as the real transport does. Records every request.
 */
function fakeTransport(script: Record<string, Answer[]>) {
  const sent: ImdsHttpRequest[] = [];
  const seen = new Map<string, number>();
  const request: ImdsRequest = async (req) => {
    sent.push(req);
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const answers = script[key];
    if (!answers) return { kind: "response", status: 404, body: "not found" };
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const answer = answers[Math.min(n, answers.length - 1)]!;
    const outcome = typeof answer === "function" ? answer(req) : answer;
    return outcome.kind === "timeout" ? { kind: "timeout", waitedMs: req.timeoutMs } : outcome;
  };
  return { request, sent, timeouts: () => sent.map((r) => [`${r.method} ${new URL(r.url).pathname}`, r.timeoutMs]) };
}

const ok = (body: string): ImdsHttpOutcome => ({ kind: "response", status: 200, body });
const status = (code: number): ImdsHttpOutcome => ({ kind: "response", status: code, body: "" });
const TIMEOUT: ImdsHttpOutcome = { kind: "timeout", waitedMs: 0 };

function client(script: Record<string, Answer[]>, env: Record<string, string> = {}, slowdown = 1) {
  const transport = fakeTransport(script);
  const config = imdsConfigFromEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: ENDPOINT, ...env });
  const c = new ImdsClient(config, transport.request, () => {}, () => slowdown);
  return { c, ...transport };
}

describe("ImdsClient on an injected transport", () => {
  it("IMDSv2: one token PUT with the TTL header, then GETs carrying the token", async () => {
    const { c, sent } = client({ "PUT /latest/api/token": [ok("tok")], [`GET ${LIST}`]: [ok("Role")] });
    expect(await c.get(LIST)).toBe("Role");
    expect(await c.get(LIST)).toBe("Role");
    expect(sent.map((r) => [r.method, r.url, r.headers])).toEqual([
      ["PUT", `${ENDPOINT}/latest/api/token`, { "x-aws-ec2-metadata-token-ttl-seconds": "21600" }],
      ["GET", `${ENDPOINT}${LIST}`, { "x-aws-ec2-metadata-token": "tok" }],
      ["GET", `${ENDPOINT}${LIST}`, { "x-aws-ec2-metadata-token": "tok" }],
    ]);
  });

  it("falls back to v1 on 405 to the token PUT; refuses to when AWS_EC2_METADATA_V1_DISABLED", async () => {
    const script = { "PUT /latest/api/token": [status(405)], [`GET ${LIST}`]: [ok("Role")] };
    const v1 = client(script);
    expect(await v1.c.get(LIST)).toBe("Role");
    expect(v1.sent[1]!.headers).toEqual({});
    await expect(client(script, { AWS_EC2_METADATA_V1_DISABLED: "true" }).c.get(LIST)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining("IMDSv1 is disabled"),
    });
  });

  it("off EC2 (nothing ever answers): token 1 s, then one v1 probe at half of it; no load retries, so < 2 s", async () => {
    const { c, timeouts } = client({ "PUT /latest/api/token": [TIMEOUT], [`GET ${LIST}`]: [TIMEOUT] });
    await expect(c.get(LIST)).rejects.toMatchObject({ exitCode: 3, message: `IMDS could not be reached at ${ENDPOINT} (no answer within 500 ms)` });
    expect(timeouts()).toEqual([
      ["PUT /latest/api/token", 1000],
      [`GET ${LIST}`, 500],
    ]);
  });

  it("an explicit AWS_METADATA_SERVICE_TIMEOUT is honoured in full, and NUM_ATTEMPTS retries 5xx", async () => {
    const { c, timeouts } = client(
      { "PUT /latest/api/token": [TIMEOUT], [`GET ${LIST}`]: [status(503), ok("Role")] },
      { AWS_METADATA_SERVICE_TIMEOUT: "3", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "2" },
    );
    expect(await c.get(LIST)).toBe("Role");
    expect(timeouts()).toEqual([
      ["PUT /latest/api/token", 3000],
      ["PUT /latest/api/token", 3000],
      [`GET ${LIST}`, 3000],
      [`GET ${LIST}`, 3000],
    ]);
  });

  it("after IMDS has answered, a timeout is load: tried again at 2x and 4x the timeout", async () => {
    const { c, timeouts } = client({ "PUT /latest/api/token": [ok("tok")], [`GET ${LIST}`]: [TIMEOUT, TIMEOUT, ok("Role")] });
    expect(await c.get(LIST)).toBe("Role");
    expect(timeouts()).toEqual([
      ["PUT /latest/api/token", 1000],
      [`GET ${LIST}`, 1000],
      [`GET ${LIST}`, 2000],
      [`GET ${LIST}`, 4000],
    ]);
  });

  it("the load retries are bounded: three timeouts in a row end the request, naming the last wait", async () => {
    const { c, sent } = client({ "PUT /latest/api/token": [ok("tok")], [`GET ${LIST}`]: [TIMEOUT] });
    await expect(c.get(LIST)).rejects.toMatchObject({ exitCode: 3, message: `IMDS could not be reached at ${ENDPOINT} (no answer within 4000 ms)` });
    expect(sent).toHaveLength(4);
  });

  it("a v1 fallback after an unanswered token PUT also earns load retries once a GET has answered", async () => {
    const { c, timeouts } = client({
      "PUT /latest/api/token": [TIMEOUT],
      [`GET ${LIST}`]: [ok("Role")],
      "GET /latest/meta-data/instance-id": [TIMEOUT, ok("i-1")],
    });
    expect(await c.get(LIST)).toBe("Role");
    expect(await c.get("/latest/meta-data/instance-id")).toBe("i-1");
    expect(timeouts()).toEqual([
      ["PUT /latest/api/token", 1000],
      [`GET ${LIST}`, 500],
      ["GET /latest/meta-data/instance-id", 1000],
      ["GET /latest/meta-data/instance-id", 2000],
    ]);
  });

  it("on a saturated host the default timeouts stretch by the process's slowdown, at most 10x", async () => {
    const offEc2 = { "PUT /latest/api/token": [TIMEOUT], [`GET ${LIST}`]: [TIMEOUT] };
    const stretched = (slowdown: number) => {
      const { c, timeouts } = client(offEc2, {}, slowdown);
      return c.get(LIST).catch(() => timeouts().map(([, ms]) => ms));
    };
    expect(await stretched(1.9)).toEqual([1000, 500]);
    expect(await stretched(3)).toEqual([3000, 1500]);
    expect(await stretched(2.0771)).toEqual([2077, 1039]); // whole milliseconds, as the messages show them
    expect(await stretched(100)).toEqual([10000, 5000]);
    const explicit = client(offEc2, { AWS_METADATA_SERVICE_TIMEOUT: "2" }, 100);
    await explicit.c.get(LIST).catch(() => undefined);
    expect(explicit.timeouts().map(([, ms]) => ms)).toEqual([2000, 2000]);
  });

  it("connection errors are not retried: exit 3 naming the endpoint and the code", async () => {
    const { c, sent } = client({ "PUT /latest/api/token": [{ kind: "error", code: "ECONNREFUSED" }] });
    await expect(c.get(LIST)).rejects.toMatchObject({ exitCode: 3, message: `IMDS could not be reached at ${ENDPOINT} (ECONNREFUSED)` });
    expect(sent).toHaveLength(1);
  });

  it("an oversized answer is not a metadata service: exit 6", async () => {
    const { c } = client({ "PUT /latest/api/token": [ok("tok")], [`GET ${LIST}`]: [{ kind: "oversized", limitBytes: 65536 }] });
    await expect(c.get(LIST)).rejects.toMatchObject({
      exitCode: 6,
      message: `IMDS at ${ENDPOINT} answered ${LIST} with more than 65536 bytes: not a metadata service answer`,
    });
  });

  it("a 401 with a token fetches a new token once", async () => {
    let tokens = 0;
    const { c, sent } = client({
      "PUT /latest/api/token": [() => ok(`tok${++tokens}`)],
      [`GET ${LIST}`]: [(req) => (req.headers["x-aws-ec2-metadata-token"] === "tok2" ? ok("Role") : status(401))],
    });
    expect(await c.get(LIST)).toBe("Role");
    expect(sent.map((r) => r.method)).toEqual(["PUT", "GET", "PUT", "GET"]);
  });
});
