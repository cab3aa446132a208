import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const sandbox = useSandbox();

/** A loopback server that accepts connections and never answers; returns its URL. */
function useBlackhole(): () => string {
  let server: Server | undefined;
  let url = "";
  beforeAll(async () => {
    server = createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => server!.once("listening", r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => {
    server?.close();
  });
  return () => url;
}

const tokenPuts = () => sandbox().counts.imds["PUT /latest/api/token"] ?? 0;

describe("IMDS behaviours", () => {
  it("IMDSv2 required: the token is sent with every GET", async () => {
    sandbox().setFaults({ imdsV2Required: true });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.code).toBe(0);
    expect(tokenPuts()).toBe(1);
  });

  it("IMDS without v2 (405 to the token PUT): falls back to v1 and succeeds", async () => {
    sandbox().setFaults({ imdsV1Only: true });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("token PUT unanswered (container, hop limit 1): falls back to v1", async () => {
    sandbox().setFaults({ imdsTokenUnanswered: true });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("token PUT unanswered with v1 disabled: exit 3 with the hop-limit hint", async () => {
    sandbox().setFaults({ imdsTokenUnanswered: true });
    const r = await runCli([HOP1], { ...sandbox().env(), AWS_EC2_METADATA_V1_DISABLED: "true" });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("IMDSv1 is disabled");
    expect(r.stderr).toContain("HttpPutResponseHopLimit");
  });

  it("IMDS down (connections dropped): exit 3 naming IMDS", async () => {
    sandbox().setFaults({ imdsDown: true });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: IMDS could not be reached at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("AWS_EC2_METADATA_DISABLED=true: --source imds refuses without a request", async () => {
    const r = await runCli([HOP1, "--source", "imds"], { ...sandbox().env(), AWS_EC2_METADATA_DISABLED: "true" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("--source imds: IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
    expect(sandbox().counts.imds).toEqual({});
  });

  it("added latency below the timeout still succeeds", async () => {
    sandbox().setFaults({ latencyMs: 150 });
    const r = await runCli([HOP1, HOP2], sandbox().env());
    expect(r.code).toBe(0);
  });
});

describe("an IMDS that accepts connections and never answers (off EC2 behind a firewall)", () => {
  const blackhole = useBlackhole();

  it("ends with exit 3, the endpoint and the timeout named, nothing on stdout", async () => {
    const url = blackhole();
    const r = await runCli([HOP1], { AWS_EC2_METADATA_SERVICE_ENDPOINT: url });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^assume-role: IMDS could not be reached at ${url} \\(no answer within \\d+ ms\\)`));
    // ~1.5 s on a host with CPU to spare; on a saturated one (a parallel test run) the default IMDS
    // timeouts stretch up to 10x (imds-client.ts), so the limit is generous. No wall-clock assertion.
  }, 40_000);
});

describe("STS throttling and 5xx", () => {
  it("retries throttled calls and succeeds within the retry budget", async () => {
    sandbox().setFaults({ stsThrottleFirst: 2 });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(sandbox().counts.sts.AssumeRole).toBe(3);
  });

  it("retries a 503", async () => {
    sandbox().setFaults({ sts5xxFirst: 1 });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.code).toBe(0);
    expect(sandbox().counts.sts.AssumeRole).toBe(2);
  });

  it("gives up with exit 7 naming the throttled call", async () => {
    sandbox().setFaults({ stsThrottleFirst: 100 });
    const r = await runCli([HOP1], sandbox().env());
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`assume-role: STS throttled (Throttling) on AssumeRole ${HOP1} after 3 attempts`);
  });
});

describe("an STS endpoint that accepts connections and never answers", () => {
  const blackhole = useBlackhole();

  it("times out instead of hanging: exit 6 naming the endpoint", async () => {
    const url = blackhole();
    const r = await runCli([HOP1], { ...sandbox().env(), AWS_ENDPOINT_URL_STS: url, AWS_MAX_ATTEMPTS: "1" });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`assume-role: STS could not be reached at ${url} for AssumeRole ${HOP1} (TimeoutError)`);
  }, 20_000);
});

describe("IMDS answers with an error status", () => {
  it("IMDS turned off (403 to everything): exit 3 with the HttpEndpoint hint, not an internal error", async () => {
    const server = (await import("node:http")).createServer((_req, res) => res.writeHead(403).end("Forbidden"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const r = await runCli([HOP1], { AWS_EC2_METADATA_SERVICE_ENDPOINT: url });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`IMDS at ${url} answered HTTP 403`);
      expect(r.stderr).toContain("HttpEndpoint=disabled");
    } finally {
      server.close();
    }
  });
});
