import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDirectory, cacheFileName } from "../../src/cache/cache-key.js";
import { parseMargin } from "../../src/cache/cache-entry.js";
import { cacheOptions, withCache, type CacheOptions } from "../../src/cache/with-cache.js";
import type { HopCall } from "../../src/chain/assume-hop.js";
import { AccessDeniedError } from "../../src/errors.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import { hopKeys } from "../../src/plan/hop-keys.js";
import type { HopResult } from "../../src/types.js";
import { createLogger } from "../../src/ui/logger.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const ROLE_A = "arn:aws:iam::123456789012:role/A";
const LOCAL = { user: "tester", host: "box", now: new Date("2026-11-21T07:30:00Z") };
/** Real keys: a two-hop chain from IMDS on one machine, and the same chain through another STS endpoint. */
const keysAt = (endpoint: string | undefined) =>
  hopKeys(buildPlan({ roles: [ROLE_A, "arn:aws:iam::222222222222:role/B"], source: "imds", env: {} }), "imds:machine-1", endpoint, LOCAL);
const [K1, K12] = keysAt(undefined) as [string[], string[]];

/** What a hop's `run` hands back: a numbered session of role A, asking for MFA first like the real one. */
function fakeRun(lifetimeMs = 3600_000) {
  const state = { runs: 0, mfaAsked: 0 };
  const run = (mfa: boolean) => async (): Promise<HopResult> => {
    state.runs++;
    if (mfa) state.mfaAsked++;
    const n = state.runs;
    return {
      roleArn: ROLE_A,
      assumedRoleArn: `arn:aws:sts::123456789012:assumed-role/A/s${n}`,
      sessionName: `s${n}`,
      durationSeconds: 3600,
      region: "us-east-1",
      exportRegion: "us-east-1",
      credentials: { accessKeyId: `ASIA${n}`, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiration: new Date(Date.now() + lifetimeMs) },
    };
  };
  return { state, call: (key: readonly string[], mfa = false): HopCall => ({ key, label: ROLE_A, run: run(mfa) }) };
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

const entryFile = (dir: string, key: readonly string[]) => join(dir, `${cacheFileName(key)}.json`);

describe("withCache", () => {
  it("a miss runs the hop and writes a 0600 entry in a 0700 directory; a hit returns it without running the hop (no MFA)", async () => {
    const { dir, options } = setup();
    const { state, call } = fakeRun();
    const first = await withCache(options)(call(K1, true));
    const second = await withCache(options)(call(K1, true));
    expect([state.runs, state.mfaAsked]).toEqual([1, 1]);
    expect(first.cached).toBeUndefined();
    expect(second).toEqual({ ...first, cached: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual([`${cacheFileName(K1)}.json`]);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(dir, files[0]!), "utf8");
    // exactly these fields: the hop's result, never an MFA code or the caller's credentials
    expect(JSON.parse(text)).toStrictEqual({
      version: 2,
      key: K1,
      roleArn: ROLE_A,
      assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/A/s1",
      sessionName: "s1",
      durationSeconds: 3600,
      region: "us-east-1",
      exportRegion: "us-east-1",
      accessKeyId: "ASIA1",
      secretAccessKey: "secret-1",
      sessionToken: "token-1",
      expiration: first.credentials.expiration!.toISOString(),
    });
  });

  it("one entry per hop: a chain sharing the first hop reuses it", async () => {
    const { options } = setup();
    const { state, call } = fakeRun();
    const hop = withCache(options);
    await hop(call(K1));
    await hop(call(K12));
    await hop(call(K1));
    await hop(call(K12));
    expect(state.runs).toBe(2);
  });

  it("the STS endpoint (AWS_ENDPOINT_URL_STS) scopes entries: another endpoint never gets them", async () => {
    const { dir, options } = setup();
    const { state, call } = fakeRun();
    const at = (endpoint: string | undefined) => withCache(options)(call(keysAt(endpoint)[0]!));
    await at("http://127.0.0.1:1111");
    await at("http://127.0.0.1:2222");
    await at(undefined);
    expect(state.runs).toBe(3);
    expect((await at("http://127.0.0.1:1111")).cached).toBe(true);
    const key = keysAt("http://127.0.0.1:1111")[0]!;
    expect(JSON.parse(readFileSync(entryFile(dir, key), "utf8")).key[0]).toContain('"sts":"http://127.0.0.1:1111"');
  });

  it("an entry with no more than the margin left is renewed", async () => {
    const { options } = setup("use", { marginMs: 600_000 });
    const { state, call } = fakeRun(5 * 60_000);
    await withCache(options)(call(K1));
    await withCache(options)(call(K1));
    expect(state.runs).toBe(2);
    const relaxed = { ...options, marginMs: 60_000 };
    expect((await withCache(relaxed)(call(K1))).cached).toBe(true);
  });

  it("refresh does not read but writes; off neither reads nor writes", async () => {
    const { base, dir, options } = setup();
    const { state, call } = fakeRun();
    await withCache(options)(call(K1));
    const refreshed = await withCache({ ...options, mode: "refresh" })(call(K1));
    expect(state.runs).toBe(2);
    expect((await withCache(options)(call(K1))).credentials.accessKeyId).toBe(refreshed.credentials.accessKeyId);
    const offDir = join(base, "off");
    await withCache({ ...options, mode: "off", dir: offDir })(call(K1));
    await withCache({ ...options, mode: "off", dir: offDir })(call(K1));
    expect(state.runs).toBe(4);
    expect(readdirSync(base).sort()).toEqual(["assume-role"]);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it("no directory to cache in (neither XDG_CACHE_HOME nor HOME): every hop runs, no warning", async () => {
    const { options, warnings, debug } = setup("use", { dir: undefined });
    const { state, call } = fakeRun();
    await withCache(options)(call(K1));
    await withCache(options)(call(K1));
    expect([state.runs, warnings]).toEqual([2, []]);
    expect(debug).toContain("cache: neither XDG_CACHE_HOME nor HOME is set; not caching");
  });

  const entry = (fields: Record<string, unknown>) =>
    JSON.stringify({
      version: 2,
      key: K1,
      roleArn: ROLE_A,
      assumedRoleArn: "a",
      sessionName: "s",
      durationSeconds: 3600,
      region: "us-east-1",
      accessKeyId: "b",
      secretAccessKey: "c",
      expiration: "2099-01-01T00:00:00Z",
      ...fields,
    });
  it.each([
    ["garbage", "{not json", "not JSON"],
    ["an empty file", "", "empty file"],
    ["an entry for another chain", entry({ key: K12 }), "written for another chain"],
    ["a version-1 entry", entry({ version: 1 }), "not a version-2 entry"],
    ["a bad date", entry({ expiration: "soon" }), "expiration is not a date"],
    ["no duration", entry({ durationSeconds: "1h" }), "no durationSeconds"],
    ["no region", entry({ region: "" }), "no region"],
    ["a non-string session token", entry({ sessionToken: 7 }), "sessionToken is not a string"],
  ])("a corrupt entry (%s) is a miss, logged under debug, and replaced", async (_what, content, why) => {
    const { dir, options, warnings, debug } = setup();
    mkdirSync(dir, { mode: 0o700 });
    const file = entryFile(dir, K1);
    writeFileSync(file, content, { mode: 0o600 });
    const { state, call } = fakeRun();
    const out = await withCache(options)(call(K1));
    expect(state.runs).toBe(1);
    expect(warnings).toEqual([]);
    expect(debug).toContain(`cache: ${file} is corrupt (${why}); it will be replaced`);
    expect(JSON.parse(readFileSync(file, "utf8")).accessKeyId).toBe(out.credentials.accessKeyId);
  });

  it("a complete entry written by hand is served as is", async () => {
    const { dir, options } = setup();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(entryFile(dir, K1), entry({ sessionToken: "t" }), { mode: 0o600 });
    const { state, call } = fakeRun();
    const out = await withCache(options)(call(K1));
    expect(state.runs).toBe(0);
    expect(out).toEqual({
      roleArn: ROLE_A,
      assumedRoleArn: "a",
      sessionName: "s",
      durationSeconds: 3600,
      region: "us-east-1",
      exportRegion: undefined,
      credentials: { accessKeyId: "b", secretAccessKey: "c", sessionToken: "t", expiration: new Date("2099-01-01T00:00:00Z") },
      cached: true,
    });
  });

  it("a symlinked cache directory: one warning for the whole run, every hop still runs, nothing written through the link", async () => {
    const { base, options, warnings } = setup();
    mkdirSync(join(base, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(base, "elsewhere"), options.dir!);
    const { state, call } = fakeRun();
    const hop = withCache(options);
    await hop(call(K1));
    await hop(call(K12));
    expect(state.runs).toBe(2);
    expect(warnings).toEqual([
      `warning: credential cache: cannot use the directory: ${options.dir} is a symbolic link, not a directory (remove it (assume-role recreates it as a 0700 directory), or set XDG_CACHE_HOME elsewhere); continuing without it`,
    ]);
    expect(readdirSync(join(base, "elsewhere"))).toEqual([]);
  });

  it("a group-writable cache directory is refused the same way", async () => {
    const { options, warnings } = setup();
    mkdirSync(options.dir!);
    chmodSync(options.dir!, 0o775);
    await withCache(options)(fakeRun().call(K1));
    expect(warnings[0]).toContain("is writable by its group (mode 0775)");
    expect(readdirSync(options.dir!)).toEqual([]);
  });

  it("errors of the hop pass through unchanged, and nothing is cached", async () => {
    const { dir, options } = setup();
    const denied: HopCall = {
      key: K1,
      label: ROLE_A,
      run: async () => {
        throw new AccessDeniedError("no");
      },
    };
    await expect(withCache(options)(denied)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("credentials without an expiration are passed on but never written", async () => {
    const { dir, options } = setup();
    const { call } = fakeRun();
    const inner = call(K1);
    const forever: HopCall = { ...inner, run: async () => ({ ...(await inner.run()), credentials: { accessKeyId: "AKIA", secretAccessKey: "x" } }) };
    expect((await withCache(options)(forever)).credentials.accessKeyId).toBe("AKIA");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("20 concurrent callers in one process (separate decorators, like separate processes) make one run", async () => {
    const { options } = setup();
    const { state, call } = fakeRun();
    const slow = (): HopCall => {
      const inner = call(K1);
      return { ...inner, run: async () => (await new Promise((r) => setTimeout(r, 50)), inner.run()) };
    };
    const outs = await Promise.all(Array.from({ length: 20 }, () => withCache(options)(slow())));
    expect(state.runs).toBe(1);
    expect(new Set(outs.map((o) => o.credentials.accessKeyId))).toEqual(new Set(["ASIA1"]));
  });

  it("a lock it cannot get in time: a warning, then the hop runs without the cache", async () => {
    const { dir, options, warnings } = setup("use", { lockTimeoutMs: 100 });
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, `${cacheFileName(K1)}.lock`), JSON.stringify({ pid: process.ppid, host: "h", created: Date.now(), token: "t" }));
    const { state, call } = fakeRun();
    await withCache(options)(call(K1));
    expect(state.runs).toBe(1);
    expect(warnings[0]).toMatch(/^warning: credential cache: cannot lock the entry for arn:aws:iam::123456789012:role\/A: .* is held by pid \d+ on h/);
  });
});

describe("cache locks that are not lock files", () => {
  it("a symbolic link at an entry's lock: one warning, the link removed (never followed), the run goes on without the cache", async () => {
    const { base, dir, options, warnings, debug } = setup("use");
    mkdirSync(dir, { mode: 0o700 });
    const target = join(base, "target");
    writeFileSync(target, "untouched");
    const lock = join(dir, `${cacheFileName(K1)}.lock`);
    symlinkSync(target, lock);
    const runs = fakeRun();
    const hop = withCache(options);
    const started = performance.now();
    await hop(runs.call(K1));
    await hop(runs.call(K12));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(runs.state.runs).toBe(2);
    expect(warnings).toEqual([`warning: credential cache: ${lock} is a symbolic link, not a lock file assume-role made; removed it; continuing without the cache for this run`]);
    expect(debug.filter((l) => l.startsWith("warning"))).toEqual([]);
    expect(readFileSync(target, "utf8")).toBe("untouched");
    expect(readdirSync(dir)).toEqual([]);
    // the next run has its cache back
    const next = withCache(options);
    await next(runs.call(K1));
    await next(runs.call(K1));
    expect(runs.state.runs).toBe(3);
  });
});

describe("cache file name and location", () => {
  it("the file name is a hash of every key element, in order", () => {
    expect(cacheFileName(K1)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheFileName(K1)).toBe(cacheFileName([...K1]));
    const [source, hop1] = K1 as [string, string];
    const hop2 = K12[2]!;
    const others = [[source], [source, hop2], [hop1, source], [`${source}x`, hop1], [source, hop1, hop2]];
    expect(new Set([cacheFileName(K1), ...others.map((k) => cacheFileName(k))]).size).toBe(others.length + 1);
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
