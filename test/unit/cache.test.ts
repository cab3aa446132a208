import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDirectory, cacheKey } from "../../src/cache/cache-key.js";
import { parseMargin } from "../../src/cache/cache-entry.js";
import { cacheOptions, withCache, type CacheOptions } from "../../src/cache/with-cache.js";
import type { AssumeHop, HopCall } from "../../src/chain/assume-hop.js";
import { AccessDeniedError } from "../../src/errors.js";
import { createLogger } from "../../src/ui/logger.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const SOURCE = "imds:i-0123456789abcdef0:ExampleRole";
const HOP1 = '["arn:aws:iam::123456789012:role/A","i-0",3600]';
const HOP2 = '["arn:aws:iam::222222222222:role/B","i-0",3600]';
const CALLER = { accessKeyId: "ASIACALLER", secretAccessKey: "caller-secret-never-cached", sessionToken: "caller-token-never-cached" };

function call(chainKey: string[], mfa?: () => Promise<string>): HopCall {
  return {
    caller: CALLER,
    region: "us-east-1",
    input: { roleArn: "arn:aws:iam::123456789012:role/A", roleSessionName: "i-0", serialNumber: mfa ? "arn:aws:iam::1:mfa/u" : undefined },
    chainKey,
    mfaCode: mfa,
    debug: () => undefined,
  };
}

/** An inner hop that counts calls, asks for MFA like the real one, and hands out numbered sessions. */
function fakeInner(lifetimeMs = 3600_000): AssumeHop & { calls: number } {
  const hop = Object.assign(
    async (c: HopCall) => {
      hop.calls++;
      if (c.mfaCode) await c.mfaCode();
      const n = hop.calls;
      return {
        credentials: { accessKeyId: `ASIA${n}`, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiration: new Date(Date.now() + lifetimeMs) },
        assumedRoleArn: `arn:aws:sts::123456789012:assumed-role/A/s${n}`,
      };
    },
    { calls: 0 },
  );
  return hop;
}

function setup(mode: CacheOptions["mode"] = "use", extra: Partial<CacheOptions> = {}) {
  const base = mkdtempSync(join(tmpdir(), "cache-unit-"));
  const warnings: string[] = [];
  const debug: string[] = [];
  const options: CacheOptions = {
    env: fsContext(),
    dir: join(base, "assume-role"),
    mode,
    marginMs: 600_000,
    warn: (l) => warnings.push(l),
    debug: (l) => debug.push(l),
    ...extra,
  };
  return { base, dir: options.dir!, options, warnings, debug };
}

describe("withCache", () => {
  it("a miss calls STS and writes a 0600 entry in a 0700 directory; a hit returns it without STS or MFA", async () => {
    const { dir, options } = setup();
    const inner = fakeInner();
    let mfaAsked = 0;
    const mfa = async () => (mfaAsked++, "123456");
    const first = await withCache(inner, options)(call([SOURCE, HOP1], mfa));
    const second = await withCache(inner, options)(call([SOURCE, HOP1], mfa));
    expect([inner.calls, mfaAsked]).toEqual([1, 1]);
    expect(first.cached).toBeUndefined();
    expect(second).toEqual({ ...first, cached: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual([`${cacheKey([SOURCE, HOP1])}.json`]);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(dir, files[0]!), "utf8");
    for (const secret of ["123456\"", CALLER.secretAccessKey, CALLER.sessionToken, "tokenCode"]) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      key: [SOURCE, HOP1],
      assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/A/s1",
      accessKeyId: "ASIA1",
      secretAccessKey: "secret-1",
      sessionToken: "token-1",
      expiration: first.credentials.expiration!.toISOString(),
    });
  });

  it("one entry per hop: a chain sharing the first hop reuses it", async () => {
    const { options } = setup();
    const inner = fakeInner();
    const hop = withCache(inner, options);
    await hop(call([SOURCE, HOP1]));
    await hop(call([SOURCE, HOP1, HOP2]));
    await hop(call([SOURCE, HOP1]));
    await hop(call([SOURCE, HOP1, HOP2]));
    expect(inner.calls).toBe(2);
  });

  it("the STS endpoint (AWS_ENDPOINT_URL_STS) scopes entries: another endpoint never gets them", async () => {
    const { dir, options } = setup();
    const inner = fakeInner();
    const at = (endpoint: string | undefined) => withCache(inner, options)({ ...call([SOURCE, HOP1]), endpoint });
    await at("http://127.0.0.1:1111");
    await at("http://127.0.0.1:2222");
    await at(undefined);
    expect(inner.calls).toBe(3);
    expect((await at("http://127.0.0.1:1111")).cached).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, `${cacheKey([SOURCE, HOP1], "http://127.0.0.1:1111")}.json`), "utf8")).endpoint).toBe("http://127.0.0.1:1111");
  });

  it("an entry with no more than the margin left is renewed", async () => {
    const { options } = setup("use", { marginMs: 600_000 });
    const inner = fakeInner(5 * 60_000);
    await withCache(inner, options)(call([SOURCE, HOP1]));
    await withCache(inner, options)(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(2);
    const relaxed = { ...options, marginMs: 60_000 };
    expect((await withCache(inner, relaxed)(call([SOURCE, HOP1]))).cached).toBe(true);
  });

  it("refresh does not read but writes; off neither reads nor writes", async () => {
    const { base, dir, options } = setup();
    const inner = fakeInner();
    await withCache(inner, options)(call([SOURCE, HOP1]));
    const refreshed = await withCache(inner, { ...options, mode: "refresh" })(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(2);
    expect((await withCache(inner, options)(call([SOURCE, HOP1]))).credentials.accessKeyId).toBe(refreshed.credentials.accessKeyId);
    const offDir = join(base, "off");
    await withCache(inner, { ...options, mode: "off", dir: offDir })(call([SOURCE, HOP1]));
    await withCache(inner, { ...options, mode: "off", dir: offDir })(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(4);
    expect(readdirSync(base).sort()).toEqual(["assume-role"]);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it.each([
    ["garbage", "{not json"],
    ["an empty file", ""],
    ["an entry for another chain", JSON.stringify({ version: 1, key: ["other"], assumedRoleArn: "a", accessKeyId: "b", secretAccessKey: "c", expiration: "2099-01-01T00:00:00Z" })],
    ["a bad date", JSON.stringify({ version: 1, key: [SOURCE, HOP1], assumedRoleArn: "a", accessKeyId: "b", secretAccessKey: "c", expiration: "soon" })],
    ["an entry for another endpoint", JSON.stringify({ version: 1, key: [SOURCE, HOP1], endpoint: "http://x", assumedRoleArn: "a", accessKeyId: "b", secretAccessKey: "c", expiration: "2099-01-01T00:00:00Z" })],
  ])("a corrupt entry (%s) is a miss, logged under debug, and replaced", async (_what, content) => {
    const { dir, options, warnings, debug } = setup();
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, `${cacheKey([SOURCE, HOP1])}.json`);
    writeFileSync(file, content, { mode: 0o600 });
    const inner = fakeInner();
    const out = await withCache(inner, options)(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(1);
    expect(warnings).toEqual([]);
    expect(debug.some((l) => l.startsWith(`cache: ${file} is corrupt`))).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).accessKeyId).toBe(out.credentials.accessKeyId);
  });

  it("a symlinked cache directory: one warning for the whole run, every hop still goes to STS, nothing written through the link", async () => {
    const { base, options, warnings } = setup();
    mkdirSync(join(base, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(base, "elsewhere"), options.dir!);
    const inner = fakeInner();
    const hop = withCache(inner, options);
    await hop(call([SOURCE, HOP1]));
    await hop(call([SOURCE, HOP1, HOP2]));
    expect(inner.calls).toBe(2);
    expect(warnings).toEqual([
      `warning: credential cache: cannot use the directory: ${options.dir} is a symbolic link, not a directory (remove it (assume-role recreates it as a 0700 directory), or set XDG_CACHE_HOME elsewhere); continuing without it`,
    ]);
    expect(readdirSync(join(base, "elsewhere"))).toEqual([]);
  });

  it("a group-writable cache directory is refused the same way", async () => {
    const { options, warnings } = setup();
    mkdirSync(options.dir!);
    chmodSync(options.dir!, 0o775);
    await withCache(fakeInner(), options)(call([SOURCE, HOP1]));
    expect(warnings[0]).toContain("is writable by its group (mode 0775)");
    expect(readdirSync(options.dir!)).toEqual([]);
  });

  it("STS errors pass through unchanged, and nothing is cached", async () => {
    const { dir, options } = setup();
    const denied: AssumeHop = async () => {
      throw new AccessDeniedError("no");
    };
    await expect(withCache(denied, options)(call([SOURCE, HOP1]))).rejects.toBeInstanceOf(AccessDeniedError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("20 concurrent callers in one process (separate decorators, like separate processes) make one STS call", async () => {
    const { options } = setup();
    const inner = fakeInner();
    const slow: AssumeHop = async (c) => {
      await new Promise((r) => setTimeout(r, 50));
      return inner(c);
    };
    const outs = await Promise.all(Array.from({ length: 20 }, () => withCache(slow, options)(call([SOURCE, HOP1]))));
    expect(inner.calls).toBe(1);
    expect(new Set(outs.map((o) => o.credentials.accessKeyId))).toEqual(new Set(["ASIA1"]));
  });

  it("a lock it cannot get in time: a warning, then STS without the cache", async () => {
    const { dir, options, warnings } = setup("use", { lockTimeoutMs: 100 });
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, `${cacheKey([SOURCE, HOP1])}.lock`), JSON.stringify({ pid: process.ppid, host: "h", created: Date.now(), token: "t" }));
    const inner = fakeInner();
    await withCache(inner, options)(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(1);
    expect(warnings[0]).toMatch(/^warning: credential cache: cannot lock the entry for arn:aws:iam::123456789012:role\/A: .* is held by pid \d+ on h/);
  });
});

describe("cache locks that are not lock files", () => {
  it("a symbolic link at an entry's lock: one warning, the link removed (never followed), the run goes on without the cache", async () => {
    const { base, dir, options, warnings, debug } = setup("use");
    mkdirSync(dir, { mode: 0o700 });
    const target = join(base, "target");
    writeFileSync(target, "untouched");
    const lock = join(dir, `${cacheKey([SOURCE, HOP1])}.lock`);
    symlinkSync(target, lock);
    const inner = fakeInner();
    const hop = withCache(inner, options);
    const started = performance.now();
    await hop(call([SOURCE, HOP1]));
    await hop(call([SOURCE, HOP2]));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(inner.calls).toBe(2);
    expect(warnings).toEqual([`warning: credential cache: ${lock} is a symbolic link, not a lock file assume-role made; removed it; continuing without the cache for this run`]);
    expect(debug.filter((l) => l.startsWith("warning"))).toEqual([]);
    expect(readFileSync(target, "utf8")).toBe("untouched");
    expect(readdirSync(dir)).toEqual([]);
    // the next run has its cache back
    const next = withCache(inner, options);
    await next(call([SOURCE, HOP1]));
    await next(call([SOURCE, HOP1]));
    expect(inner.calls).toBe(3);
  });
});

describe("cache key and location", () => {
  it("the key is a hash of every chain element, in order", () => {
    expect(cacheKey([SOURCE, HOP1])).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey([SOURCE, HOP1])).toBe(cacheKey([SOURCE, HOP1]));
    const others = [[SOURCE], [SOURCE, HOP2], [HOP1, SOURCE], [`${SOURCE}x`, HOP1], [SOURCE, HOP1, HOP2]];
    expect(new Set([cacheKey([SOURCE, HOP1]), ...others.map((k) => cacheKey(k))]).size).toBe(others.length + 1);
  });

  it.each([
    [{ XDG_CACHE_HOME: "/x/", HOME: "/h" }, "/x/assume-role"],
    [{ XDG_CACHE_HOME: "relative", HOME: "/h" }, "/h/.cache/assume-role"],
    [{ XDG_CACHE_HOME: "", HOME: "/h" }, "/h/.cache/assume-role"],
    [{}, undefined],
  ])("cacheDirectory(%j) = %s", (env, expected) => {
    expect(cacheDirectory(env)).toBe(expected);
  });

  it.each([
    ["600", 600],
    ["0", 0],
    ["10m", 600],
    ["1h30m", 5400],
    ["90s", 90],
    [" 5M ", 300],
    ["ten", undefined],
    ["-5", undefined],
    ["", undefined],
  ])("ASSUME_ROLE_CACHE_MARGIN=%j → %s seconds", (text, seconds) => {
    expect(parseMargin(text)).toBe(seconds);
  });

  it("cacheOptions: flags pick the mode; a malformed margin warns and falls back to 10 minutes", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (s) => void lines.push(s) }, "normal");
    const env = { HOME: "/h", ASSUME_ROLE_CACHE_MARGIN: "soon" };
    const o = cacheOptions(fsContext(env), { cache: true }, log);
    expect([o.mode, o.marginMs, o.dir]).toEqual(["use", 600_000, "/h/.cache/assume-role"]);
    expect(lines).toEqual(["assume-role: warning: ASSUME_ROLE_CACHE_MARGIN='soon' is not a number of seconds or a span like 10m; using 10m\n"]);
    expect(cacheOptions(fsContext({ ASSUME_ROLE_CACHE_MARGIN: "2m" }), { cache: false }, log)).toMatchObject({ mode: "off", marginMs: 120_000 });
    expect(cacheOptions(fsContext({}), { refresh: true }, log).mode).toBe("refresh");
    // a renewing endpoint asks for entries that outlive its clients' windows (20 min), never less than the margin
    expect(cacheOptions(fsContext({}), { cacheMinFreshSeconds: 1200 }, log).marginMs).toBe(1_200_000);
    expect(cacheOptions(fsContext({ ASSUME_ROLE_CACHE_MARGIN: "1h" }), { cacheMinFreshSeconds: 1200 }, log).marginMs).toBe(3_600_000);
  });
});
