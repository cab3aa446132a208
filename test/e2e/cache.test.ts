/**
 * The on-disk credential cache, observed from outside: the built CLI's stdout/stderr, the cache files,
 * and the AssumeRole calls the sandbox STS received.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox } from "../../src/sandbox/index.js";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const EXTERNAL = "arn:aws:iam::222222222222:role/ExternalIdRole";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const ALICE_MFA = "arn:aws:iam::123456789012:mfa/alice";
const FLEET = 50;
const sandbox = useSandbox();
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("e2e/cache: skipping the foreign-owned directory test: it needs root to chown a directory to another uid");

function xdg(): string {
  return mkdtempSync(join(tmpdir(), "assume-role-xdg-"));
}
function env(cacheHome: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...sandbox().env(), XDG_CACHE_HOME: cacheHome, ...extra };
}
function assumed(): string[] {
  return sandbox().requests.filter((r) => r.action === "AssumeRole").map((r) => r.params.RoleArn ?? "?");
}
function exported(stdout: string, name: string): string {
  const m = new RegExp(`^export ${name}='([^']*)'$`, "m").exec(stdout);
  if (!m) throw new Error(`${name} not in output:\n${stdout}`);
  return m[1]!;
}
/** The cache entries, by number of chain elements (2 = first hop, 3 = second hop). */
function entries(cacheHome: string): Map<number, { file: string; entry: Record<string, unknown> }> {
  const dir = join(cacheHome, "assume-role");
  const out = new Map<number, { file: string; entry: Record<string, unknown> }>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    const entry = JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>;
    out.set((entry.key as string[]).length, { file: join(dir, name), entry });
  }
  return out;
}

describe(`a fleet of ${FLEET} processes with a cold cache`, () => {
  const home = xdg();
  let first = "";

  it(`makes exactly one AssumeRole per hop, and all ${FLEET} print the same credentials`, async () => {
    const started = performance.now();
    // 50 Node processes on a small CI machine starve the in-process sandbox: IMDS gets the time a real
    // instance's own metadata service would not need (AWS_METADATA_SERVICE_TIMEOUT, the standard variable).
    const fleetEnv = env(home, { AWS_METADATA_SERVICE_TIMEOUT: "30" });
    const runs = await Promise.all(Array.from({ length: FLEET }, () => runCli([HOP1, HOP2], fleetEnv)));
    const wallMs = performance.now() - started;
    expect(runs.map((r) => [r.code, r.stderr])).toEqual(runs.map(() => [0, ""]));
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    const calls = assumed();
    expect(calls.filter((a) => a === HOP1)).toHaveLength(1);
    expect(calls.filter((a) => a === HOP2)).toHaveLength(1);
    expect(sandbox().counts.sts.AssumeRole).toBe(2);
    // Only the lock holder asks IMDS (token, role list, credentials, instance ID, region): the rest wait for its entry.
    const imdsRequests = Object.values(sandbox().counts.imds).reduce((a, b) => a + b, 0);
    expect(imdsRequests).toBeLessThanOrEqual(10);
    first = runs[0]!.stdout;
    console.log(
      `fleet figure: ${FLEET} processes started at once, cold cache: AssumeRole ${HOP1.split("/").pop()} ${calls.filter((a) => a === HOP1).length}, ` +
        `${HOP2.split("/").pop()} ${calls.filter((a) => a === HOP2).length}; wall time ${(wallMs / 1000).toFixed(1)} s`,
    );
  }, 180_000);

  it("a second run makes no request at all (no IMDS, no STS) and prints the same credentials", async () => {
    const r = await runCli([HOP1, HOP2], env(home));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(first);
    expect(sandbox().requests).toEqual([]);
    expect(sandbox().counts.imds).toEqual({});
  });

  it("a hit only reads: the cache directory is not written to (its mtime and listing stay as they were)", async () => {
    const dir = join(home, "assume-role");
    const before = { mtime: statSync(dir).mtimeMs, names: readdirSync(dir).sort() };
    await new Promise((r) => setTimeout(r, 20)); // past the file system's timestamp granularity
    const r = await runCli([HOP1, HOP2], env(home));
    expect([r.code, r.stdout]).toEqual([0, first]);
    expect({ mtime: statSync(dir).mtimeMs, names: readdirSync(dir).sort() }).toEqual(before);
  });

  it("a different final hop reuses the first hop's entry: one new AssumeRole, signed by the cached session", async () => {
    const r = await runCli([HOP1, EXTERNAL, "--external-id", "example-external-id"], env(home));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(assumed()).toEqual([EXTERNAL]);
    expect(sandbox().requests.find((q) => q.action === "AssumeRole")?.callerArn).toBe(
      "arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/i-0123456789abcdef0",
    );
  });

  it("files are 0600 in a 0700 directory, one per hop, and hold no secret of the source", () => {
    const dir = join(home, "assume-role");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir);
    expect(names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))).toHaveLength(3);
    expect(names.filter((n) => !n.endsWith(".json"))).toEqual([]);
    for (const n of names) expect(statSync(join(dir, n)).mode & 0o777).toBe(0o600);
    const instance = sandbox().instanceCredentials()!;
    for (const n of names) {
      const text = readFileSync(join(dir, n), "utf8");
      expect(text).not.toContain(instance.secretAccessKey);
      expect(text).not.toContain(instance.sessionToken);
    }
  });
});

describe("cache entries that cannot be used", () => {
  it("an entry with 5 minutes left (under the 10-minute margin) is renewed; the other hop's entry still serves", async () => {
    const home = xdg();
    const cold = await runCli([HOP1, HOP2], env(home));
    expect(cold.code).toBe(0);
    sandbox().resetCounts();
    const second = entries(home).get(3)!;
    writeFileSync(second.file, JSON.stringify({ ...second.entry, expiration: new Date(Date.now() + 5 * 60_000).toISOString() }));
    const r = await runCli([HOP1, HOP2], env(home));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(assumed()).toEqual([HOP2]);
    expect(exported(r.stdout, "AWS_ACCESS_KEY_ID")).not.toBe(exported(cold.stdout, "AWS_ACCESS_KEY_ID"));
    expect(new Date(entries(home).get(3)!.entry.expiration as string).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    sandbox().resetCounts();
    const margin = await runCli([HOP1, HOP2], env(home, { ASSUME_ROLE_CACHE_MARGIN: "70m" }));
    expect(margin.code).toBe(0);
    expect(assumed()).toEqual([HOP1, HOP2]);
  });

  it("a corrupt entry is replaced silently (it is logged with -v), never fatal", async () => {
    const home = xdg();
    expect((await runCli([HOP1, HOP2], env(home))).code).toBe(0);
    sandbox().resetCounts();
    // The final hop's entry: it is asked first; the first hop's entry still answers for its caller.
    const hop2 = entries(home).get(3)!;
    writeFileSync(hop2.file, '{"version":2,"key":["trunc');
    const r = await runCli([HOP1, HOP2], env(home));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(assumed()).toEqual([HOP2]);
    expect(JSON.parse(readFileSync(hop2.file, "utf8")).version).toBe(2);
    writeFileSync(hop2.file, "");
    const verbose = await runCli([HOP1, HOP2, "-v"], env(home));
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain(`cache: ${hop2.file} is corrupt (empty file); it will be replaced`);
  });

  it("a symlinked cache directory is refused with one warning; the run still succeeds without the cache", async () => {
    const home = xdg();
    mkdirSync(join(home, "real"), { mode: 0o700 });
    symlinkSync(join(home, "real"), join(home, "assume-role"));
    const r = await runCli([HOP1, HOP2], env(home));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `assume-role: warning: credential cache: cannot use the directory: ${join(home, "assume-role")} is a symbolic link, not a directory ` +
        `(remove it (assume-role recreates it as a 0700 directory), or set XDG_CACHE_HOME elsewhere); continuing without it\n`,
    );
    expect(exported(r.stdout, "ASSUME_ROLE_ARN")).toBe(HOP2);
    expect(assumed()).toEqual([HOP1, HOP2]);
    expect(readdirSync(join(home, "real"))).toEqual([]);
  });

  it("a group-writable cache directory is refused the same way", async () => {
    const home = xdg();
    mkdirSync(join(home, "assume-role"));
    chmodSync(join(home, "assume-role"), 0o775);
    const r = await runCli([HOP1], env(home));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${join(home, "assume-role")} is writable by its group (mode 0775) (chmod 700 ${join(home, "assume-role")}); continuing without it`);
  });

  it.skipIf(!isRoot)("a cache directory owned by another user is refused; the run succeeds", async () => {
    const home = xdg();
    mkdirSync(join(home, "assume-role"), { mode: 0o700 });
    chownSync(join(home, "assume-role"), 12345, 12345);
    const r = await runCli([HOP1], env(home));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`is owned by uid 12345, not by the current user (uid 0)`);
    expect(readdirSync(join(home, "assume-role"))).toEqual([]);
  });
});

describe("cache scope", () => {
  it("credentials cached from one STS endpoint are not handed out for another (a second sandbox, same instance and chain)", async () => {
    const home = xdg();
    expect((await runCli([HOP1, HOP2], env(home))).code).toBe(0);
    const other = await startSandbox();
    try {
      const r = await runCli([HOP1, HOP2], { ...other.env(), XDG_CACHE_HOME: home });
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(other.counts.sts.AssumeRole).toBe(2);
      const client = new STSClient({
        region: "us-east-1",
        endpoint: other.stsEndpoint,
        credentials: {
          accessKeyId: exported(r.stdout, "AWS_ACCESS_KEY_ID"),
          secretAccessKey: exported(r.stdout, "AWS_SECRET_ACCESS_KEY"),
          sessionToken: exported(r.stdout, "AWS_SESSION_TOKEN"),
        },
      });
      expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0");
    } finally {
      await other.close();
    }
  });
});

describe("--no-cache, --refresh, MFA and secrets", () => {
  it("--no-cache makes every run call STS and writes nothing", async () => {
    const home = xdg();
    for (let i = 0; i < 2; i++) expect((await runCli([HOP1, HOP2, "--no-cache"], env(home))).code).toBe(0);
    expect(assumed()).toEqual([HOP1, HOP2, HOP1, HOP2]);
    expect(existsSync(join(home, "assume-role"))).toBe(false);
  });

  it("--refresh calls STS for every hop and stores the new credentials for the next run", async () => {
    const home = xdg();
    const cold = await runCli([HOP1, HOP2], env(home));
    const refreshed = await runCli([HOP1, HOP2, "--refresh"], env(home));
    const next = await runCli([HOP1, HOP2], env(home));
    expect([cold.code, refreshed.code, next.code]).toEqual([0, 0, 0]);
    expect(assumed()).toEqual([HOP1, HOP2, HOP1, HOP2]);
    expect(exported(refreshed.stdout, "AWS_ACCESS_KEY_ID")).not.toBe(exported(cold.stdout, "AWS_ACCESS_KEY_ID"));
    expect(next.stdout).toBe(refreshed.stdout);
  });

  it("a cached MFA hop is reused without asking for a code (CI=true, no --mfa-token); the code is never stored", async () => {
    const home = xdg();
    const alice = sandbox().userKeys("alice");
    const keys = { AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey, CI: "true" };
    const args = ["--source", "env", "--mfa-serial", ALICE_MFA, MFA_ROLE];
    const first = await runCli([...args, "--mfa-token", "123456"], env(home, keys));
    expect([first.code, first.stderr]).toEqual([0, ""]);
    expect(sandbox().requests.find((q) => q.action === "AssumeRole")?.params.TokenCode).toBe("123456");
    const uncached = await runCli([...args, "--no-cache"], env(home, keys));
    expect(uncached.code).toBe(5);
    const second = await runCli(args, env(home, keys));
    expect([second.code, second.stderr, second.stdout]).toEqual([0, "", first.stdout]);
    expect(assumed()).toEqual([MFA_ROLE]);
    const [entry] = entries(home).values();
    expect(JSON.stringify(entry!.entry)).not.toMatch(/"123456"|TokenCode|tokenCode/i);
    expect(JSON.stringify(entry!.entry)).not.toContain(alice.secretAccessKey);
  });

  it("secrets never reach stderr, cold or cached, even with -v", async () => {
    const home = xdg();
    for (let i = 0; i < 2; i++) {
      const r = await runCli([HOP1, HOP2, "-v"], env(home));
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(i === 0 ? "calling STS" : "cache: arn:aws:iam::222222222222:role/CrossAccountRole from");
      for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) expect(r.stderr).not.toContain(exported(r.stdout, name));
      for (const { entry } of entries(home).values()) {
        expect(r.stderr).not.toContain(entry.secretAccessKey as string);
        expect(r.stderr).not.toContain(entry.sessionToken as string);
      }
    }
  });
});

describe("cache keys that follow what was asked", () => {
  const sandbox = useSandbox();

  it("--duration max on a role that allows less than 12h: the second run is a cache hit, no STS call", async () => {
    const cache = mkdtempSync(join(tmpdir(), "assume-role-cache-max-"));
    const alice = sandbox().userKeys("alice");
    const env = { ...sandbox().env(), XDG_CACHE_HOME: cache, AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey };
    const role = "arn:aws:iam::222222222222:role/MfaRole";
    const args = [role, "--source", "env", "-d", "max", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice"];
    const first = await runCli([...args, "--mfa-token", "123456"], env);
    expect(first.code).toBe(0);
    expect(sandbox().requests.filter((r) => r.action === "AssumeRole").map((r) => r.params.DurationSeconds)).toEqual(["43200", "3600"]);
    sandbox().resetCounts();
    // No token this time: a miss would need the MFA code (and there is no terminal): the hit needs none.
    const second = await runCli(args, { ...env, CI: "true" });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(sandbox().requests).toEqual([]);
  });
});
