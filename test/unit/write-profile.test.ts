import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkWriteProfileTarget, credentialsFilePath, writeProfile } from "../../src/config/write-profile.js";
import { ConfigError, EXIT, UsageError } from "../../src/errors.js";
import type { Credentials } from "../../src/types.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const RICH = readFileSync(join(import.meta.dirname, "../fixtures/credentials/rich.ini"));
const CREDS: Credentials = {
  accessKeyId: "ASIAWRITTENEXAMPLE01",
  secretAccessKey: "written/secret+example",
  sessionToken: "written-token",
  expiration: new Date("2030-01-02T03:04:05Z"),
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "write-profile-"));
}

function withFile(content: Buffer | string, mode = 0o600): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, "credentials");
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return { dir, path };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: Error) => err,
  );
}

describe("writeProfile", () => {
  it("replaces [prod] in the rich fixture: bytes outside the section identical, 0600, no lock or temp file left", async () => {
    const { dir, path } = withFile(RICH, 0o644);
    const result = await writeProfile(fsContext(), { name: "prod", path, credentials: CREDS, force: false });
    expect(result).toEqual({ path, expiration: CREDS.expiration, replaced: true });
    const after = readFileSync(path);
    const start = RICH.indexOf("[prod]");
    const end = RICH.indexOf("\n[production]");
    expect(after.subarray(0, start).equals(RICH.subarray(0, start))).toBe(true);
    expect(after.subarray(after.length - (RICH.length - end)).equals(RICH.subarray(end))).toBe(true);
    expect(after.subarray(start, after.length - (RICH.length - end)).toString()).toBe(
      [
        "[prod] # a comment after the header",
        "# a comment inside [prod]",
        "aws_access_key_id = ASIAWRITTENEXAMPLE01",
        "aws_secret_access_key = written/secret+example",
        "aws_session_token = written-token",
        "aws_credential_expiration = 2030-01-02T03:04:05.000Z",
        "region = us-west-2",
        "",
      ].join("\n"),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["credentials"]);
  });

  it("creates a missing file and its parent directory (0700) from HOME", async () => {
    const home = tempDir();
    const result = await writeProfile(fsContext({ HOME: home }), { name: "fresh", credentials: CREDS, force: false });
    expect(result.path).toBe(join(home, ".aws/credentials"));
    expect(statSync(join(home, ".aws")).mode & 0o777).toBe(0o700);
    expect(statSync(result.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(result.path, "utf8")).toMatch(/^\[fresh\]\naws_access_key_id = ASIAWRITTENEXAMPLE01\n/);
  });

  it("path: the request, else AWS_SHARED_CREDENTIALS_FILE (a leading ~/ is HOME), else HOME/.aws/credentials", () => {
    expect(credentialsFilePath({ HOME: "/h", AWS_SHARED_CREDENTIALS_FILE: "/e" }, "/x")).toBe("/x");
    expect(credentialsFilePath({ HOME: "/h", AWS_SHARED_CREDENTIALS_FILE: "/e" }, undefined)).toBe("/e");
    expect(credentialsFilePath({ HOME: "/h/", AWS_SHARED_CREDENTIALS_FILE: "~/c" }, undefined)).toBe("/h/c");
    expect(credentialsFilePath({ HOME: "/h" }, undefined)).toBe("/h/.aws/credentials");
    expect(() => credentialsFilePath({}, undefined)).toThrow(ConfigError);
  });

  it("refuses to replace long-term keys without force, naming the profile and --force; the file is unchanged", async () => {
    const { path } = withFile(RICH);
    const err = await rejection(writeProfile(fsContext(), { name: "static", path, credentials: CREDS, force: false }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(EXIT.config);
    expect(err.message).toContain("[static]");
    expect((err as ConfigError).hint).toContain("--force");
    expect(readFileSync(path).equals(RICH)).toBe(true);
    await writeProfile(fsContext(), { name: "static", path, credentials: CREDS, force: true });
    expect(readFileSync(path, "utf8")).toContain("[static]\naws_access_key_id = ASIAWRITTENEXAMPLE01\n");
    expect(readFileSync(path, "utf8")).not.toContain("staticSecret");
  });

  it("refuses a section configured with role_arn / source_profile without force", async () => {
    const { path } = withFile(RICH);
    const err = await rejection(writeProfile(fsContext(), { name: "ci", path, credentials: CREDS, force: false }));
    expect(err.message).toMatch(/\[ci\].*role_arn, source_profile/);
    expect(readFileSync(path).equals(RICH)).toBe(true);
  });

  it("refuses a duplicated section", async () => {
    const { path } = withFile("[a]\nx = 1\n[a]\ny = 2\n");
    const err = await rejection(writeProfile(fsContext(), { name: "a", path, credentials: CREDS, force: true }));
    expect(err.message).toContain("more than once (lines 1, 3)");
  });

  it("refuses a symbolic link: neither the link nor its target changes", async () => {
    const { dir, path: target } = withFile(RICH);
    const link = join(dir, "link");
    symlinkSync(target, link);
    const err = await rejection(writeProfile(fsContext(), { name: "prod", path: link, credentials: CREDS, force: true }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`${link} is a symbolic link; assume-role does not write credentials through links`);
    expect(readFileSync(target).equals(RICH)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["credentials", "link"]);
  });

  it.each(["", "a b", "a]b", "a\nb", " lead", "trail ", "[x]", "a=b", "é"])("refuses the profile name %j (UsageError) before touching anything", async (name) => {
    const dir = tempDir();
    const path = join(dir, "sub", "credentials");
    const err = await rejection(writeProfile(fsContext(), { name, path, credentials: CREDS, force: true }));
    expect(err).toBeInstanceOf(UsageError);
    expect(existsSync(join(dir, "sub"))).toBe(false);
  });

  it.each(["default", "a-b/c.d%e@f_g:h+i", "P1"])("accepts the profile name %j", async (name) => {
    const { path } = withFile("");
    await writeProfile(fsContext(), { name, path, credentials: CREDS, force: false });
    expect(readFileSync(path, "utf8").startsWith(`[${name}]\n`)).toBe(true);
  });

  it("removes the lock left by a writer that died (not refreshed for over 3 s) at once, and removes its own", async () => {
    const { path } = withFile("");
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), since: new Date().toISOString() }));
    const old = new Date(Date.now() - 10_000);
    utimesSync(`${path}.lock`, old, old);
    const started = performance.now();
    await writeProfile(fsContext(), { name: "after-dead-lock", path, credentials: CREDS, force: false });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(readFileSync(path, "utf8")).toContain("[after-dead-lock]");
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("a live writer's lock: waits at most 5 s, then exit 8 naming the lock; the file is unchanged", async () => {
    const { path } = withFile(RICH);
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }));
    const keepFresh = setInterval(() => utimesSync(`${path}.lock`, new Date(), new Date()), 200);
    try {
      const started = performance.now();
      const err = await rejection(writeProfile(fsContext(), { name: "prod", path, credentials: CREDS, force: true }));
      expect(performance.now() - started).toBeLessThan(6_000);
      expect((err as ConfigError).exitCode).toBe(EXIT.config);
      expect(err.message).toMatch(new RegExp(`^${path}\\.lock is held by pid ${process.ppid} on .*; gave up after 5\\.\\d s$`));
    } finally {
      clearInterval(keepFresh);
    }
    expect(readFileSync(path).equals(RICH)).toBe(true);
  }, 10_000);

  it("a symbolic link at the lock path: exit 8 naming it at once; the link, its target and the file unchanged", async () => {
    const { dir, path } = withFile(RICH);
    writeFileSync(join(dir, "elsewhere"), "x");
    symlinkSync(join(dir, "elsewhere"), `${path}.lock`);
    const started = performance.now();
    const err = await rejection(writeProfile(fsContext(), { name: "prod", path, credentials: CREDS, force: true }));
    expect(performance.now() - started).toBeLessThan(500);
    expect((err as ConfigError).exitCode).toBe(EXIT.config);
    expect(err.message).toBe(`${path}.lock is a symbolic link, not a lock file assume-role made`);
    expect(lstatSync(`${path}.lock`).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "elsewhere"), "utf8")).toBe("x");
    expect(readFileSync(path).equals(RICH)).toBe(true);
  });

  it("removes temp files of writers that died (pid not running, or older than a minute); a live writer's fresh one stays", async () => {
    const { dir, path } = withFile(RICH);
    const dead = `.credentials.tmp-${2 ** 22 + 11}-0123456789ab`;
    const old = `.credentials.tmp-${process.ppid}-00000000000a`;
    const live = `.credentials.tmp-${process.ppid}-00000000000b`;
    const other = `.config.tmp-${2 ** 22 + 11}-0123456789ab`;
    for (const name of [dead, old, live, other]) writeFileSync(join(dir, name), RICH, { mode: 0o600 });
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(join(dir, old), twoMinutesAgo, twoMinutesAgo);
    const running = (pid: number) => pid === process.ppid;
    await writeProfile(fsContext({}, { isProcessRunning: running }), { name: "new", path, credentials: CREDS, force: false });
    expect(readdirSync(dir).sort()).toEqual([other, live, "credentials"].sort());
  });

  it.each([
    [0o775, "its group", "0775"],
    [0o757, "others", "0757"],
    [0o1777, "others", "0777"],
  ])("refuses a directory with mode %s (writable by %s): exit 8, hint chmod go-w, the file unchanged", async (mode, who, shown) => {
    const { dir, path } = withFile(RICH);
    chmodSync(dir, mode);
    try {
      const err = await rejection(writeProfile(fsContext(), { name: "new", path, credentials: CREDS, force: false }));
      expect((err as ConfigError).exitCode).toBe(EXIT.config);
      expect(err.message).toBe(`${dir} is writable by ${who} (mode ${shown}), who could replace the credentials file in it`);
      expect((err as ConfigError).hint).toBe(`chmod go-w ${dir}`);
      expect(readFileSync(path).equals(RICH)).toBe(true);
      expect(readdirSync(dir)).toEqual(["credentials"]);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it("checkWriteProfileTarget (run before any STS call) refuses a directory, a FIFO or a link at the path, and a directory others can write", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "a-dir"));
    execFileSync("mkfifo", [join(dir, "a-fifo")]);
    symlinkSync(join(dir, "a-dir"), join(dir, "a-link"));
    const ctx = fsContext();
    for (const name of ["a-dir", "a-fifo"]) {
      const err = await rejection(checkWriteProfileTarget(ctx, "p", join(dir, name)));
      expect([err.message, (err as ConfigError).exitCode]).toEqual([`${join(dir, name)} is not a regular file`, EXIT.config]);
    }
    expect((await rejection(checkWriteProfileTarget(ctx, "p", join(dir, "a-link")))).message).toMatch(/a-link is a symbolic link/);
    chmodSync(dir, 0o777);
    try {
      expect((await rejection(checkWriteProfileTarget(ctx, "p", join(dir, "new")))).message).toMatch(/is writable by others \(mode 0777\)/);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(await checkWriteProfileTarget(ctx, "p", join(dir, "new"))).toBe(join(dir, "new"));
    expect(await checkWriteProfileTarget(ctx, "p", join(dir, "missing/sub/credentials"))).toBe(join(dir, "missing/sub/credentials"));
    expect(readdirSync(dir).sort()).toEqual(["a-dir", "a-fifo", "a-link"]);
  });

  it("a failure during the write leaves the file as it was and no temp file behind", async () => {
    const { dir, path } = withFile(RICH);
    const fs = await import("node:fs/promises");
    const failingFs = { ...fs, rename: async () => Promise.reject(Object.assign(new Error("disk full"), { code: "ENOSPC" })) };
    const err = await rejection(writeProfile(fsContext({}, { fs: failingFs as typeof fs }), { name: "prod", path, credentials: CREDS, force: false }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`cannot write the credentials file ${path}: ENOSPC`);
    expect(readFileSync(path).equals(RICH)).toBe(true);
    expect(readdirSync(dir)).toEqual(["credentials"]);
  });

  it("writes no expiration or token line for long-term credentials", async () => {
    const { path } = withFile("");
    await writeProfile(fsContext(), { name: "k", path, credentials: { accessKeyId: "AKIAX", secretAccessKey: "s" }, force: false });
    expect(readFileSync(path, "utf8")).toBe("[k]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n");
  });
});
