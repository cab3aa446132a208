import * as fs from "node:fs/promises";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../../src/errors.js";
import { buildExportSet, type ExportSet, type FormatInput } from "../../src/outputs/export-set.js";
import { escapeCommandData, formatGithub, githubEnvBlock } from "../../src/outputs/formatters/github.js";
import { formatGitlab } from "../../src/outputs/formatters/gitlab.js";
import { FORMAT_NAMES, getFormatter, SHELL_FORMAT_NAMES } from "../../src/outputs/formatters/registry.js";
import { UnrepresentableValueError } from "../../src/outputs/formatters/validate.js";
import { appendGithubEnv, githubEnvPath, writeGithubOutputs } from "../../src/outputs/github-env-file.js";
import { parseGithubEnv, parseGitlabDotenv } from "../fixtures/oidc/ci-readers.js";

const ROLE = "arn:aws:iam::111111111111:role/Deploy";
const creds = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEHQaCXVzLWVhc3QtMSJHMEUCIQ+/tok==",
  expiration: new Date("2030-01-02T03:04:05.678Z"),
};
const INPUT: FormatInput = {
  exports: buildExportSet({ credentials: creds, region: "eu-west-1", roleArn: ROLE }),
  credentials: creds,
  region: "eu-west-1",
  roleArn: ROLE,
};
const only = (set: Array<[string, string]>): ExportSet => ({ set, unset: [] });

let counter = 0;
const fixedHex = () => (counter++).toString(16).padStart(32, "0");

describe("--format github", () => {
  it("prints one ::add-mask:: line per secret (key ID, secret key, session token) and nothing else", () => {
    expect(formatGithub(INPUT)).toBe(
      [`::add-mask::${creds.accessKeyId}`, `::add-mask::${creds.secretAccessKey}`, `::add-mask::${creds.sessionToken}`, ""].join("\n"),
    );
    const long = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: creds.secretAccessKey };
    expect(formatGithub({ exports: buildExportSet({ credentials: long }), credentials: long })).toBe(
      `::add-mask::AKIAIOSFODNN7EXAMPLE\n::add-mask::${creds.secretAccessKey}\n`,
    );
  });

  it("escapes workflow-command data as the runner unescapes it", () => {
    expect(escapeCommandData("a%b\r\nc")).toBe("a%25b%0D%0Ac");
    fc.assert(
      fc.property(fc.string(), (s) => {
        const back = escapeCommandData(s).replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
        expect(back).toBe(s);
        expect(escapeCommandData(s)).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it("the $GITHUB_ENV block reads back as every exported variable, exactly", () => {
    const block = githubEnvBlock(INPUT.exports, fixedHex);
    expect(parseGithubEnv(block)).toEqual(Object.fromEntries(INPUT.exports.set));
    expect(block.startsWith("AWS_ACCESS_KEY_ID<<ASSUME_ROLE_EOF_")).toBe(true);
  });

  it("carries any value without NUL or CR, multi-line included, through the runner's parser", () => {
    const value = fc.string({ unit: "binary", maxLength: 80 }).filter((s) => !/[\0\r]/.test(s) && !/[\uD800-\uDFFF]/.test(s));
    fc.assert(
      fc.property(value, (v) => {
        const block = githubEnvBlock(only([["X", v]]), fixedHex);
        expect(parseGithubEnv(block)).toEqual({ X: v });
      }),
    );
  });

  it("draws another delimiter when the value contains the first one", () => {
    const first = `ASSUME_ROLE_EOF_${"a".repeat(32)}`;
    const draws = ["a".repeat(32), "b".repeat(32)];
    const block = githubEnvBlock(only([["X", `x\n${first}\ny`]]), () => draws.shift()!);
    expect(block).toBe(`X<<ASSUME_ROLE_EOF_${"b".repeat(32)}\nx\n${first}\ny\nASSUME_ROLE_EOF_${"b".repeat(32)}\n`);
  });

  it("refuses CR and NUL, naming the variable and never the value", () => {
    for (const bad of ["a\rb", "a\0b"]) {
      expect(() => githubEnvBlock(only([["SECRET_THING", bad]]), fixedHex)).toThrow(UnrepresentableValueError);
      expect(() => githubEnvBlock(only([["SECRET_THING", bad]]), fixedHex)).toThrow(/SECRET_THING/);
    }
  });
});

describe("GITHUB_ENV file", () => {
  const tmp = () => mkdtemp(join(tmpdir(), "assume-role-ghenv-"));

  it("appends after what earlier steps wrote, keeping it", async () => {
    const path = join(await tmp(), "set_env_x");
    await writeFile(path, "EARLIER=1\n");
    const ctx = { env: { GITHUB_ENV: path }, fs };
    expect(await githubEnvPath(ctx)).toBe(path);
    await appendGithubEnv(ctx, path, INPUT.exports);
    const parsed = parseGithubEnv(await readFile(path, "utf8"));
    expect(parsed).toEqual({ EARLIER: "1", ...Object.fromEntries(INPUT.exports.set) });
  });

  it("writeGithubOutputs: masks on stdout, then the file; a value it cannot carry fails before either", async () => {
    const path = join(await tmp(), "env");
    await writeFile(path, "");
    let stdout = "";
    const ctx = { fs, stdout: { write: (t: string) => void (stdout += t) } };
    await writeGithubOutputs(ctx, { env: path }, INPUT);
    expect(stdout).toBe(formatGithub(INPUT));
    expect(parseGithubEnv(await readFile(path, "utf8"))).toEqual(Object.fromEntries(INPUT.exports.set));
    stdout = "";
    const bad = { ...INPUT, exports: only([["AWS_REGION", "x\ry"]]) };
    await expect(writeGithubOutputs(ctx, { env: path }, bad)).rejects.toThrow(UnrepresentableValueError);
    expect(stdout).toBe("");
  });

  it("uses a fresh random delimiter per variable", async () => {
    const path = join(await tmp(), "env");
    await writeFile(path, "");
    await appendGithubEnv({ fs }, path, INPUT.exports);
    const delimiters = [...(await readFile(path, "utf8")).matchAll(/<<(.+)\n/g)].map((m) => m[1]);
    expect(delimiters).toHaveLength(INPUT.exports.set.length);
    expect(new Set(delimiters).size).toBe(delimiters.length);
    for (const d of delimiters) expect(d).toMatch(/^ASSUME_ROLE_EOF_[0-9a-f]{32}$/);
  });

  it.each([
    [{}, "GITHUB_ENV is not set"],
    [{ GITHUB_ENV: "" }, "GITHUB_ENV is not set"],
    [{ GITHUB_ENV: "/nonexistent/dir/env" }, "(ENOENT)"],
  ])("refuses %j with exit 8", async (env, message) => {
    const err = await githubEnvPath({ env, fs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(8);
    expect((err as ConfigError).message).toContain(message);
  });

  it("refuses a directory", async () => {
    const dir = await tmp();
    await expect(githubEnvPath({ env: { GITHUB_ENV: dir }, fs })).rejects.toThrow("is not a regular file");
  });
});

describe("--format gitlab", () => {
  it("writes bare KEY=value lines that GitLab reads back exactly", () => {
    const out = formatGitlab(INPUT);
    expect(out).toBe(`${INPUT.exports.set.map(([k, v]) => `${k}=${v}`).join("\n")}\n`);
    expect(parseGitlabDotenv(out)).toEqual(Object.fromEntries(INPUT.exports.set));
  });

  it("round-trips any printable one-line value without $ or surrounding spaces, quotes included", () => {
    const value = fc.string({ maxLength: 60 }).filter((s) => !/[\r\n$\0]/.test(s) && s === s.trim() && !/[\uD800-\uDFFF]/.test(s));
    fc.assert(
      fc.property(value, (v) => {
        expect(parseGitlabDotenv(formatGitlab({ ...INPUT, exports: only([["X", v]]) }))).toEqual({ X: v });
      }),
    );
  });

  it.each([
    ["a\nb", "line break"],
    ["a\rb", "line break"],
    [" a", "whitespace"],
    ["a\t", "whitespace"],
    ["a$HOME", "'$'"],
    ["a\0b", "NUL"],
  ])("refuses %j (%s), naming the variable", (value, rule) => {
    const run = () => formatGitlab({ ...INPUT, exports: only([["AWS_SESSION_TOKEN", value]]) });
    expect(run).toThrow(UnrepresentableValueError);
    expect(run).toThrow(/--format gitlab cannot carry the value of AWS_SESSION_TOKEN/);
    expect(run).toThrow(rule);
  });

  it("refuses a report of 5 KiB or more (GitLab's limit)", () => {
    const big = only([["A", "x".repeat(5000)], ["B", "y".repeat(200)]]);
    expect(() => formatGitlab({ ...INPUT, exports: big })).toThrow(UsageError);
    expect(() => formatGitlab({ ...INPUT, exports: big })).toThrow("5 KiB");
  });
});

describe("registry", () => {
  it("offers github and gitlab for --format, but not to `unset`", () => {
    expect(FORMAT_NAMES).toContain("github");
    expect(FORMAT_NAMES).toContain("gitlab");
    expect(getFormatter("github")).toBe(formatGithub);
    expect(getFormatter("gitlab")).toBe(formatGitlab);
    expect(SHELL_FORMAT_NAMES).not.toContain("github");
    expect(SHELL_FORMAT_NAMES).not.toContain("gitlab");
  });
});
