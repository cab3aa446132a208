import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { acquireLock, LockTimeoutError, waitForLock, withFileLock } from "../../src/fs/file-lock.js";
import { UnsafePathError } from "../../src/fs/unsafe-path-error.js";
import { spawnCollect } from "../helpers/cli.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const ctx = fsContext();
const DIST_LOCK = resolve(import.meta.dirname, "../../dist/fs/file-lock.js");

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), "file-lock-")), "target.lock");
}

/** A lock file as a process that died left it: `ageMs` since it was last refreshed. */
function leftLock(path: string, ageMs: number, pid = process.ppid): void {
  writeFileSync(path, JSON.stringify({ pid, host: hostname(), since: new Date(Date.now() - ageMs).toISOString() }));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
}

async function timed<T>(p: Promise<T>): Promise<{ value: T | Error; ms: number }> {
  const started = performance.now();
  const value = await p.catch((e: unknown) => e as Error);
  return { value, ms: performance.now() - started };
}

describe("file lock", () => {
  it("two concurrent lockers in one process never overlap, and both get their turn", async () => {
    const path = lockPath();
    const events: string[] = [];
    const critical = (who: string) => async () => {
      events.push(`${who} in`);
      await sleep(40);
      events.push(`${who} out`);
    };
    await Promise.all([withFileLock(ctx, path, critical("a")), withFileLock(ctx, path, critical("b"))]);
    expect(events).toHaveLength(4);
    expect(events[0]!.split(" ")[0]).toBe(events[1]!.split(" ")[0]);
    expect(events[1]).toMatch(/ out$/);
    expect(existsSync(path)).toBe(false);
  });

  it("serialises read-modify-write: 10 concurrent increments of a counter file in one process", async () => {
    const path = lockPath();
    const counter = path.replace(/\.lock$/, "");
    writeFileSync(counter, "0");
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withFileLock(ctx, path, async () => {
          const n = Number(readFileSync(counter, "utf8"));
          await sleep(Math.random() * 5);
          writeFileSync(counter, String(n + 1));
        }),
      ),
    );
    expect(readFileSync(counter, "utf8")).toBe("10");
  });

  it("serialises 8 processes incrementing a counter 5 times each, starting from a dead holder's lock (dist/fs/file-lock.js)", async () => {
    const path = lockPath();
    const counter = path.replace(/\.lock$/, "");
    writeFileSync(counter, "0");
    leftLock(path, 60_000);
    const script = `
      import * as fs from "node:fs/promises";
      import { hostname } from "node:os";
      const { withFileLock } = await import(${JSON.stringify(DIST_LOCK)});
      const ctx = { fs, pid: process.pid, now: () => new Date(), hostname };
      for (let i = 0; i < 5; i++) {
        await withFileLock(ctx, ${JSON.stringify(path)}, async () => {
          const n = Number(await fs.readFile(${JSON.stringify(counter)}, "utf8"));
          await new Promise((r) => setTimeout(r, Math.random() * 4));
          await fs.writeFile(${JSON.stringify(counter)}, String(n + 1));
        }, { timeoutMs: 20000 });
      }`;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => spawnCollect(process.execPath, ["--input-type=module", "-e", script], { PATH: process.env.PATH ?? "" })),
    );
    expect(runs.map((r) => [r.code, r.stderr])).toEqual(Array.from({ length: 8 }, () => [0, ""]));
    expect(readFileSync(counter, "utf8")).toBe("40");
  });

  it("a lock not refreshed for staleMs is removed at once, even when its pid now belongs to a live unrelated process", async () => {
    const path = lockPath();
    leftLock(path, 5_000, process.ppid); // pid reuse: the vitest parent is alive, but it holds no lock
    const debug: string[] = [];
    const { value: lock, ms } = await timed(acquireLock(ctx, path, { timeoutMs: 10_000, staleMs: 2_000, debug: (l) => debug.push(l) }));
    expect(ms).toBeLessThan(1_000);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(debug).toEqual([`removing lock ${path}: not refreshed for 5 s, its holder is gone`]);
    await (lock as Awaited<ReturnType<typeof acquireLock>>).release();
    expect(existsSync(path)).toBe(false);
  });

  it("a fresh lock whose holder's pid runs no process on this host is removed at once (signal 0 says so)", async () => {
    const path = lockPath();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((r) => child.once("exit", r));
    leftLock(path, 0, child.pid!);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const debug: string[] = [];
    const { value: lock, ms } = await timed(acquireLock(fsContext({}, { isProcessRunning: alive }), path, { timeoutMs: 10_000, staleMs: 60_000, debug: (l) => debug.push(l) }));
    expect(ms).toBeLessThan(1_000);
    expect(debug).toEqual([`removing lock ${path}: its holder, pid ${child.pid}, is no longer running`]);
    await (lock as Awaited<ReturnType<typeof acquireLock>>).release();
  });

  it("an empty lock file (its creator died between open and write) is removed once its mtime is old", async () => {
    const path = lockPath();
    writeFileSync(path, "");
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    await (await acquireLock(ctx, path, { timeoutMs: 1000, staleMs: 30_000 })).release();
  });

  it("a live holder keeps its lock fresh past staleMs: another process waits, then gives up after timeoutMs naming the holder", async () => {
    const path = lockPath();
    const script = `
      import * as fs from "node:fs/promises";
      import { hostname } from "node:os";
      const { acquireLock } = await import(${JSON.stringify(DIST_LOCK)});
      const lock = await acquireLock({ fs, pid: process.pid, now: () => new Date(), hostname }, ${JSON.stringify(path)}, { staleMs: 200 });
      process.stdout.write("held\\n");
      await new Promise((r) => setTimeout(r, 2500));
      await lock.release();`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((r) => child.stdout.once("data", r));
    const { value: err, ms } = await timed(acquireLock(ctx, path, { timeoutMs: 1_200, staleMs: 200 }));
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as Error).message).toMatch(new RegExp(`^${path} is held by pid ${child.pid} on ${hostname()} since \\S+; gave up after 1\\.\\d s$`));
    expect((err as LockTimeoutError).hint).toBe(`if no assume-role is running, remove ${path}`);
    expect(ms).toBeGreaterThanOrEqual(1_150);
    expect(ms).toBeLessThan(2_000);
    await new Promise((r) => child.once("exit", r));
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    ["a symbolic link to a file", (path: string, dir: string) => (writeFileSync(join(dir, "target"), "x"), symlinkSync(join(dir, "target"), path))],
    ["a dangling symbolic link", (path: string, dir: string) => symlinkSync(join(dir, "nowhere"), path)],
    ["a directory", (path: string) => mkdirSync(path)],
  ])("%s at the lock path is refused at once (UnsafePathError naming it), nothing followed or changed", async (_what, make) => {
    const path = lockPath();
    const dir = join(path, "..");
    make(path, dir);
    const before = lstatSync(path);
    const { value: err, ms } = await timed(acquireLock(ctx, path, { timeoutMs: 10_000 }));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect((err as Error).message).toMatch(new RegExp(`^${path} is (a symbolic link|not a regular file)`));
    expect(ms).toBeLessThan(500);
    expect(lstatSync(path).mtimeMs).toBe(before.mtimeMs);
    if (before.isSymbolicLink()) expect(readlinkSync(path)).toMatch(/target|nowhere/);
    if (existsSync(join(dir, "target"))) expect(readFileSync(join(dir, "target"), "utf8")).toBe("x");
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });

  it("release removes only a lock that is still ours (another process's file at the name stays)", async () => {
    const path = lockPath();
    const lock = await acquireLock(ctx, path);
    const replacement = `${path}.other`;
    writeFileSync(replacement, "someone-else");
    await import("node:fs/promises").then((fs) => fs.rename(replacement, path));
    await lock.release();
    expect(readFileSync(path, "utf8")).toBe("someone-else");
  });

  it("the holder refreshes the lock's mtime while it holds it", async () => {
    const path = lockPath();
    const lock = await acquireLock(ctx, path, { staleMs: 200 });
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    await sleep(150);
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(1_000);
    await lock.release();
  });

  it("waitForLock stops waiting (undefined) when shouldStop says the work is done elsewhere", async () => {
    const path = lockPath();
    const held = await acquireLock(ctx, path);
    let polls = 0;
    const result = await waitForLock(ctx, path, { timeoutMs: 5000, shouldStop: async () => ++polls >= 3 });
    expect(result).toBeUndefined();
    expect(polls).toBe(3);
    expect(await acquireLock(ctx, path, { timeoutMs: 50 }).catch((e: unknown) => e)).toBeInstanceOf(LockTimeoutError);
    await held.release();
  });

  it("many concurrent breakers of one stale lock: exactly one holds it at a time (10 rounds of 12)", async () => {
    for (let round = 0; round < 10; round++) {
      const path = lockPath();
      leftLock(path, 60_000);
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 12 }, () =>
          withFileLock(ctx, path, async () => {
            most = Math.max(most, ++inside);
            await sleep(1);
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
      expect(existsSync(path) || existsSync(`${path}.break`)).toBe(false);
    }
  });
});
