import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialsFilePath, writeProfile } from "../../src/config/write-profile.js";
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

  it("breaks the lock left by a writer that died (pid above any pid_max) and removes its own", async () => {
    const { path } = withFile("");
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), created: Date.now(), token: "x" }));
    await writeProfile(fsContext(), { name: "after-dead-lock", path, credentials: CREDS, force: false });
    expect(readFileSync(path, "utf8")).toContain("[after-dead-lock]");
    expect(existsSync(`${path}.lock`)).toBe(false);
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
