import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { acquireLock, LockTimeoutError, tryLock, waitForLock, withFileLock } from "../../src/fs/file-lock.js";
import { spawnCollect } from "../helpers/cli.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const ctx = fsContext();
const DIST_LOCK = resolve(import.meta.dirname, "../../dist/fs/file-lock.js");

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), "file-lock-")), "target.lock");
}

/** A pid that is certainly not running: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
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
    writeFileSync(path, JSON.stringify({ pid: await deadPid(), host: hostname(), created: Date.now(), token: "dead" }));
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

  it("breaks a lock whose holder (same host) is no longer running, and writes its own pid", async () => {
    const path = lockPath();
    const pid = await deadPid();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), created: Date.now(), token: "dead" }));
    const debug: string[] = [];
    const lock = await acquireLock(ctx, path, { timeoutMs: 1000, debug: (l) => debug.push(l) });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(debug).toEqual([`breaking lock ${path}: its holder, pid ${pid}, is no longer running`]);
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("breaks a lock older than staleMs whose holder cannot be checked (another host)", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 1, host: "elsewhere", created: Date.now() - 60_000, token: "old" }));
    const lock = await acquireLock(ctx, path, { timeoutMs: 1000, staleMs: 30_000 });
    await lock.release();
  });

  it("breaks an empty lock file (its creator died between open and write) once its mtime is old", async () => {
    const path = lockPath();
    writeFileSync(path, "");
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    await (await acquireLock(ctx, path, { timeoutMs: 1000, staleMs: 30_000 })).release();
  });

  it("a live holder's fresh lock is respected: LockTimeoutError names the holder and the lock file", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), created: Date.now(), token: "live" }));
    const err = await acquireLock(ctx, path, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as Error).message).toMatch(new RegExp(`^${path} is held by pid ${process.ppid} on `));
    expect((err as LockTimeoutError).hint).toContain(`remove ${path}`);
    expect(readFileSync(path, "utf8")).toContain('"token":"live"');
  });

  it("release removes only a lock that is still ours", async () => {
    const path = lockPath();
    const lock = await acquireLock(ctx, path);
    writeFileSync(path, JSON.stringify({ pid: 1, host: "elsewhere", created: Date.now(), token: "someone-else" }));
    await lock.release();
    expect(readFileSync(path, "utf8")).toContain("someone-else");
  });

  it("waitForLock stops waiting (undefined) when shouldStop says the work is done elsewhere", async () => {
    const path = lockPath();
    const held = await acquireLock(ctx, path);
    let polls = 0;
    const result = await waitForLock(ctx, path, { timeoutMs: 5000, shouldStop: async () => ++polls >= 3 });
    expect(result).toBeUndefined();
    expect(polls).toBe(3);
    expect((await tryLock(ctx, path)) as object).toHaveProperty("holder");
    await held.release();
  });

  it("many concurrent breakers of one stale lock: exactly one holds it at a time (10 rounds of 12)", async () => {
    const dead = await deadPid();
    for (let round = 0; round < 10; round++) {
      const path = lockPath();
      writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), created: Date.now(), token: "dead" }));
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
