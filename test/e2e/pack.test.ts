/**
 * The published package: `npm pack` of the built tree, installed the way a user would on a clean
 * machine (empty npm cache, fresh HOME, `--offline`, a directory outside the project so nothing
 * resolves from the repository's node_modules), then run from the installed copy: `--version`, a
 * real two-hop chain against the sandbox, and `npx` straight from the tarball.
 * Needs `npm run build` first (as every e2e test); the tarball is packed with --ignore-scripts so
 * the test packs exactly that build.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, bashEnvAfter, cleanEnv, shQuote, spawnCollect, type RunResult } from "../helpers/cli.js";
import { identityOf, useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const sandbox = useSandbox();

const work = mkdtempSync(join(tmpdir(), "assume-role-pack-"));
const prefix = join(work, "prefix");
const elsewhere = join(work, "elsewhere");
const installedBin = join(prefix, "node_modules/.bin/assume-role");
let tarball = "";
let packedFiles: string[] = [];

/** npm with no user config, an empty cache and no registry traffic. */
function npmEnv(): Record<string, string> {
  return cleanEnv({
    HOME: join(work, "home"),
    npm_config_cache: join(work, "npm-cache"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  });
}

/** `script` in bash, in a directory outside the project. */
function inElsewhere(script: string, env: Record<string, string>): Promise<RunResult> {
  return spawnCollect("bash", ["-c", `cd ${shQuote(elsewhere)} && ${script}`], env);
}

beforeAll(async () => {
  mkdirSync(elsewhere, { recursive: true });
  mkdirSync(join(work, "home"), { recursive: true });
  const pack = await spawnCollect("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], npmEnv());
  if (pack.code !== 0) throw new Error(`npm pack exited ${pack.code}: ${pack.stderr}`);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path);
}, 120_000);

describe("npm pack → install on a clean machine → run", () => {
  it("the tarball holds the bin, the bundle and its licences; no sources, tests or tsc output", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "bin/assume-role.js",
        "bin/package.json",
        "bin/load-bundle.cjs",
        "dist/bundle/main.cjs",
        "dist/bundle/main.cjs.cache",
        "dist/bundle/THIRD_PARTY_LICENSES.txt",
        "package.json",
      ]),
    );
    expect(packedFiles.some((f) => /^dist\/bundle\/lib\/sts-sdk\.cjs$/.test(f))).toBe(true);
    expect(packedFiles.filter((f) => !/^(bin\/|dist\/bundle\/|package\.json$|README\.md$|LICENSE)/.test(f))).toEqual([]);
  });

  it("installs offline from an empty npm cache: nothing to fetch, only assume-role lands in node_modules", async () => {
    const r = await inElsewhere(`npm install --prefix ${shQuote(prefix)} ${shQuote(tarball)}`, npmEnv());
    expect(r.stderr).not.toMatch(/ERR!/);
    expect(r.code).toBe(0);
    expect(readdirSync(join(prefix, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["assume-role"]);
    const installed = JSON.parse(readFileSync(join(prefix, "node_modules/assume-role/package.json"), "utf8")) as { dependencies?: object };
    expect(installed.dependencies ?? {}).toEqual({});
  }, 120_000);

  it("the installed command prints the package's version", async () => {
    const r = await inElsewhere(`${shQuote(installedBin)} --version`, cleanEnv());
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.code).toBe(0);
  });

  it("the installed command assumes a two-hop chain from the sandbox's IMDS, and bash evaluates it", async () => {
    const env = cleanEnv(sandbox().env());
    const r = await inElsewhere(`${shQuote(installedBin)} --no-cache ${HOP1} ${HOP2}`, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, env);
    expect(await identityOf(sandbox(), vars)).toBe("arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0");
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual([HOP1, HOP2]);
  });

  it("npx runs the tarball offline from an empty cache, outside the project", async () => {
    const r = await inElsewhere(`npx --yes --package ${shQuote(tarball)} -- assume-role --version`, npmEnv());
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.code).toBe(0);
  }, 120_000);
});
