/**
 * The credential endpoint in process, with a controlled clock and a scripted chain: when it renews
 * (the window), that concurrent requests share one renewal, and what clients get when renewing fails.
 */
import { describe, expect, it } from "vitest";
import { NetworkError } from "../../src/errors.js";
import { CredentialRefresher, MAX_RENEW_WINDOW_SECONDS, type ServedCredentials } from "../../src/serve/credential-refresher.js";
import { startCredentialServer, tokenMatches } from "../../src/serve/credential-server.js";
import { startChainEndpoint } from "../../src/serve/chain-endpoint.js";
import type { ChainResult, Credentials } from "../../src/types.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");

class Clock {
  ms = T0;
  readonly now = () => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

let serial = 0;
function session(clock: Clock, lifetimeSeconds: number): ServedCredentials {
  serial += 1;
  return {
    accessKeyId: `ASIATEST${String(serial).padStart(12, "0")}`,
    secretAccessKey: `secret-${serial}`,
    sessionToken: `token-${serial}`,
    expiration: new Date(clock.ms + lifetimeSeconds * 1000),
    lifetimeSeconds,
  };
}

/** A refresher whose chain is scripted: each renewal resolves to a new 1-hour session unless `fail` is set. */
function scripted(clock: Clock, lifetimeSeconds = 3600) {
  const state = { renewals: 0, fail: undefined as Error | undefined, failures: [] as string[], gate: undefined as Promise<void> | undefined };
  const refresher = new CredentialRefresher({
    initial: session(clock, lifetimeSeconds),
    renew: async () => {
      state.renewals += 1;
      await state.gate;
      if (state.fail) throw state.fail;
      return session(clock, lifetimeSeconds);
    },
    now: clock.now,
    onFailure: (line) => state.failures.push(line),
  });
  return { refresher, state };
}

async function keyOf(refresher: CredentialRefresher): Promise<string> {
  const answer = await refresher.credentials();
  if (!answer.ok) throw new Error(answer.message);
  return answer.credentials.accessKeyId;
}

describe("renewal window", () => {
  it.each([
    [3600, MAX_RENEW_WINDOW_SECONDS],
    [43200, MAX_RENEW_WINDOW_SECONDS],
    [900, 300],
    [6, 2],
  ])("a %s-second session is renewed when %s seconds are left", (lifetime, window) => {
    const clock = new Clock();
    expect(CredentialRefresher.windowSeconds(session(clock, lifetime))).toBe(window);
  });

  it("a 1-hour session is served unchanged until 16 minutes are left (botocore's 15 + 1), then renewed once, in the background", async () => {
    const clock = new Clock();
    const { refresher, state } = scripted(clock);
    const first = await keyOf(refresher);
    clock.advance(3600 - MAX_RENEW_WINDOW_SECONDS - 1);
    expect(await keyOf(refresher)).toBe(first);
    expect(state.renewals).toBe(0);
    clock.advance(2);
    // The request that enters the window is answered at once (clients time out after ~1 s) and starts the renewal.
    expect(await keyOf(refresher)).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    const second = await keyOf(refresher);
    expect(second).not.toBe(first);
    expect(await keyOf(refresher)).toBe(second);
    expect(state.renewals).toBe(1);
    // once renewed, what a client gets has more than botocore's 15-minute window left
    const answer = await refresher.credentials();
    expect(answer.ok && answer.credentials.expiration.getTime() - clock.ms).toBeGreaterThan(15 * 60 * 1000);
  });
});

describe("single flight", () => {
  it("concurrent requests inside the window share one renewal and all get its result", async () => {
    const clock = new Clock();
    const { refresher, state } = scripted(clock);
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    clock.advance(3000);
    const answers = Array.from({ length: 20 }, () => keyOf(refresher));
    await new Promise((r) => setTimeout(r, 10));
    expect(state.renewals).toBe(1);
    open();
    const keys = await Promise.all(answers);
    expect(new Set(keys).size).toBe(1);
    expect(state.renewals).toBe(1);
  });
});

describe("renewal failures", () => {
  it("logs one line, serves the old credentials while valid, retries after a pause, then 503s once they expired", async () => {
    const clock = new Clock();
    const { refresher, state } = scripted(clock);
    const old = await keyOf(refresher);
    state.fail = new NetworkError("STS at https://sts.us-east-1.amazonaws.com could not be reached (ECONNREFUSED)");
    clock.advance(3000); // 10 minutes left: inside the window
    expect(await keyOf(refresher)).toBe(old);
    expect(state.failures).toEqual(["STS at https://sts.us-east-1.amazonaws.com could not be reached (ECONNREFUSED)"]);
    clock.advance(1);
    expect(await keyOf(refresher)).toBe(old); // within the retry pause: no new attempt
    expect(state.renewals).toBe(1);
    clock.advance(600); // expired; the pause is over: one more attempt, which fails too
    const answer = await refresher.credentials();
    expect(answer).toEqual({ ok: false, message: expect.stringContaining("could not be renewed: STS at") });
    expect(state.renewals).toBe(2);
    state.fail = undefined;
    clock.advance(10);
    expect(await keyOf(refresher)).not.toBe(old); // recovers by itself
  });
});

describe("the HTTP endpoint", () => {
  it("compares tokens in constant time and exactly", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    for (const presented of [undefined, "", "ab", "abcd", "ABC", " abc", "Bearer abc"]) expect(tokenMatches(presented, "abc")).toBe(false);
    expect(tokenMatches(undefined, "")).toBe(false);
  });

  it("answers 200 with the four fields, 503 with a JSON message when nothing valid is left", async () => {
    const clock = new Clock();
    const { refresher, state } = scripted(clock);
    const server = await startCredentialServer({ token: "t0ken", answer: () => refresher.credentials() });
    try {
      const get = async () => {
        const res = await fetch(server.url, { headers: { authorization: "t0ken" } });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      const ok = await get();
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        AccessKeyId: expect.stringMatching(/^ASIATEST/),
        SecretAccessKey: expect.stringMatching(/^secret-/),
        Token: expect.stringMatching(/^token-/),
        Expiration: "2030-01-01T01:00:00Z",
      });
      state.fail = new NetworkError("STS could not be reached");
      clock.advance(3601);
      const failed = await get();
      expect(failed).toEqual({ status: 503, body: { message: "the credentials expired and could not be renewed: STS could not be reached" } });
    } finally {
      await server.close();
    }
  });
});

describe("startChainEndpoint", () => {
  const temp = (n: number, clock: Clock): Credentials => ({
    accessKeyId: `ASIACHAIN${n}`,
    secretAccessKey: `chain-secret-${n}`,
    sessionToken: `chain-token-${n}`,
    expiration: new Date(clock.ms + 3600_000),
  });
  const result = (credentials: Credentials): ChainResult => ({
    source: { kind: "imds", credentials },
    hops: [{ roleArn: "arn:aws:iam::1:role/R", assumedRoleArn: "arn:aws:sts::1:assumed-role/R/s", sessionName: "s", durationSeconds: 3600, credentials, region: "us-east-1" }],
    credentials,
    region: "us-east-1",
    roleArn: "arn:aws:iam::1:role/R",
  });

  it("registers the token as a secret and reports a failed renewal as one warning line without secrets", async () => {
    const clock = new Clock();
    const secrets: string[] = [];
    const warnings: string[] = [];
    const endpoint = await startChainEndpoint({
      first: result(temp(1, clock)),
      rerun: async () => {
        throw new NetworkError("STS could not be reached");
      },
      now: clock.now,
      protectSecret: (s) => secrets.push(s),
      warn: (line) => warnings.push(line),
      debug: () => {},
      command: "serve",
    });
    try {
      expect(secrets).toEqual([endpoint.token]);
      clock.advance(3600 - 600);
      const res = await fetch(endpoint.url, { headers: { authorization: endpoint.token } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { AccessKeyId: string }).AccessKeyId).toBe("ASIACHAIN1");
      expect(warnings).toEqual(["serve: could not renew the credentials (serving the old ones while valid): STS could not be reached"]);
    } finally {
      await endpoint.close();
    }
  });

  it("refuses long-term keys (nothing to renew, no token to serve)", async () => {
    const clock = new Clock();
    const keys = { accessKeyId: "AKIALONG", secretAccessKey: "long" };
    const longTerm = { ...result(keys), hops: [] };
    await expect(
      startChainEndpoint({ first: longTerm, rerun: async () => longTerm, now: clock.now, protectSecret: () => {}, warn: () => {}, debug: () => {}, command: "exec --refresh" }),
    ).rejects.toThrow(/exec --refresh: the source gave long-term keys/);
  });
});
