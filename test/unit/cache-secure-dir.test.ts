import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atomicWrite } from "../../src/fs/atomic-write.js";
import { ensurePrivateDir } from "../../src/fs/secure-dir.js";
import { UnsafePathError } from "../../src/fs/unsafe-path-error.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const ctx = fsContext();
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("cache-secure-dir: skipping the foreign-owner test: it needs root to chown a directory to another uid");
if (isRoot) console.log("cache-secure-dir: skipping the read-only directory test: root may write to a 0500 directory");

function temp(): string {
  return mkdtempSync(join(tmpdir(), "secure-dir-"));
}

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as UnsafePathError);

describe("ensurePrivateDir (the cache directory)", () => {
  it("creates missing directories as 0700 and leaves no probe file behind", async () => {
    const dir = join(temp(), "a", "b", "assume-role");
    await ensurePrivateDir(ctx, dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "..")).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("tightens a directory of ours that others can read (0755 → 0700)", async () => {
    const dir = join(temp(), "c");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await ensurePrivateDir(ctx, dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    [0o770, "is writable by its group (mode 0770)"],
    [0o777, "is writable by others (mode 0777)"],
    [0o703, "is writable by others (mode 0703)"],
  ])("refuses a directory with mode %o", async (mode, problem) => {
    const dir = join(temp(), "c");
    mkdirSync(dir);
    chmodSync(dir, mode);
    const err = await refusal(ensurePrivateDir(ctx, dir));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err!.message).toBe(`${dir} ${problem}`);
    expect(err!.hint).toBe(`chmod 700 ${dir}`);
    expect(statSync(dir).mode & 0o777).toBe(mode);
  });

  it("refuses a symbolic link, even to a good directory, and writes nothing through it", async () => {
    const base = temp();
    mkdirSync(join(base, "real"), { mode: 0o700 });
    symlinkSync(join(base, "real"), join(base, "link"));
    const err = await refusal(ensurePrivateDir(ctx, join(base, "link")));
    expect(err!.message).toBe(`${join(base, "link")} is a symbolic link, not a directory`);
    expect(readdirSync(join(base, "real"))).toEqual([]);
  });

  it("refuses a file where the directory should be", async () => {
    const base = temp();
    writeFileSync(join(base, "f"), "");
    expect((await refusal(ensurePrivateDir(ctx, join(base, "f"))))!.message).toBe(`${join(base, "f")} is not a directory`);
  });

  it.skipIf(!isRoot)("refuses a directory owned by another user, naming both uids", async () => {
    const dir = join(temp(), "foreign");
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 12345, 12345);
    const err = await refusal(ensurePrivateDir(ctx, dir));
    expect(err!.message).toBe(`${dir} is owned by uid 12345, not by the current user (uid 0)`);
  });
});

describe("atomicWrite", () => {
  it("accepts a directory whose owner is the owner of the files we create in it, where that is not our uid (an owner-mapping file system), and leaves no probe", async () => {
    const dir = join(temp(), "mapped");
    mkdirSync(dir, { mode: 0o700 });
    // The process's files get its real uid; a Context claiming another uid is what NFS root_squash looks like from here.
    const mapped = { ...ctx, uid: (process.geteuid?.() ?? 0) + 4242 };
    await ensurePrivateDir(mapped, dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(isRoot)("refuses a directory of ours that we may not write to (0500), saying so", async () => {
    const dir = join(temp(), "ro");
    mkdirSync(dir, { mode: 0o500 });
    chmodSync(dir, 0o500);
    const err = await refusal(ensurePrivateDir(ctx, dir));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err!.message).toBe(`${dir} is not writable (EACCES)`);
    expect(err!.hint).toBe(`check the owner and mode of ${dir}`);
  });

  it("writes 0600 content over a 0644 file, with no temp file left", async () => {
    const dir = temp();
    const path = join(dir, "f");
    writeFileSync(path, "old", { mode: 0o644 });
    chmodSync(path, 0o644);
    await atomicWrite(ctx, path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["f"]);
  });

  it("refuses a symbolic link at the path: link and target unchanged", async () => {
    const dir = temp();
    writeFileSync(join(dir, "target"), "keep");
    symlinkSync(join(dir, "target"), join(dir, "f"));
    const err = await refusal(atomicWrite(ctx, join(dir, "f"), "new"));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err!.message).toContain(`${join(dir, "f")} is a symbolic link`);
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("keep");
    expect(lstatSync(join(dir, "f")).isSymbolicLink() && readlinkSync(join(dir, "f"))).toBe(join(dir, "target"));
  });

  it("refuses a directory at the path", async () => {
    const dir = temp();
    mkdirSync(join(dir, "d"));
    expect((await refusal(atomicWrite(ctx, join(dir, "d"), "x")))!.message).toBe(`${join(dir, "d")} is not a regular file`);
  });

  it("a failed rename leaves the old file and removes the temp file", async () => {
    const dir = temp();
    const path = join(dir, "f");
    writeFileSync(path, "old");
    const failing = fsContext({}, { fs: { ...fsp, rename: () => Promise.reject(new Error("boom")) } as typeof fsp });
    await expect(atomicWrite(failing, path, "new")).rejects.toThrow("boom");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["f"]);
  });

  it("readers racing a writer always see a whole version", async () => {
    const dir = temp();
    const path = join(dir, "f");
    const versions = Array.from({ length: 30 }, (_, i) => `${String(i).repeat(2000)}\n`);
    writeFileSync(path, versions[0]!);
    const seen = new Set<string>();
    let done = false;
    const reader = (async () => {
      while (!done) seen.add(await fsp.readFile(path, "utf8"));
    })();
    for (const v of versions) await atomicWrite(ctx, path, v);
    done = true;
    await reader;
    for (const s of seen) expect(versions).toContain(s);
  });
});
