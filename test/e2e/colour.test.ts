/**
 * Colour is for people only (issue 9): with FORCE_COLOR=3 every output a shell evaluates or a CI parser
 * reads stays free of escape sequences (stdout of every format of every command, the files written),
 * while the error, hint, warning and --dry-run lines of the same runs are coloured. NO_COLOR wins over
 * FORCE_COLOR. The demo prints no escape into a pipe.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMAT_NAMES, SHELL_FORMAT_NAMES } from "../../src/outputs/formatters/format-names.js";
import { ROOT, runCli, spawnCollect, type RunResult } from "../helpers/cli.js";
import { runUntilReady } from "../helpers/long-running.js";
import { useSandbox } from "../helpers/sandbox.js";

const sandbox = useSandbox();
const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const ESC = "\x1b";
const FORCED = { FORCE_COLOR: "3" };
const TIMEOUT = 60_000;
/** SGR sequences, which is all chalk writes. */
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

const tempDir = () => mkdtempSync(join(tmpdir(), "assume-role-colour-"));

function ok(r: RunResult): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.length).toBeGreaterThan(0);
}

describe.concurrent("FORCE_COLOR=3: no escape in what a shell or CI parser reads", () => {
  for (const format of FORMAT_NAMES) {
    it(`assume-role -f ${format}`, async () => {
      const githubEnv = join(tempDir(), "github_env");
      writeFileSync(githubEnv, "");
      const r = await runCli([HOP1, HOP2, "-f", format], { ...sandbox().env(), ...FORCED, GITHUB_ENV: githubEnv });
      ok(r);
      expect(r.stdout).not.toContain(ESC);
      expect(readFileSync(githubEnv, "utf8")).not.toContain(ESC);
    }, TIMEOUT);
  }

  for (const format of SHELL_FORMAT_NAMES) {
    it(`unset -f ${format}`, async () => {
      const r = await runCli(["unset", "-f", format], FORCED);
      ok(r);
      expect(r.stdout).not.toContain(ESC);
    }, TIMEOUT);
  }

  for (const format of [...SHELL_FORMAT_NAMES, "dotenv"]) {
    it(`serve -f ${format} and sandbox -f ${format}`, async () => {
      const served = await runUntilReady(["serve", HOP1, "-f", format], { ...sandbox().env(), ...FORCED }, /\n$/);
      expect(served.stdout).toMatch(/AWS_CONTAINER_CREDENTIALS_FULL_URI/);
      expect(served.stdout).not.toContain(ESC);
      const emulator = await runUntilReady(["sandbox", "-f", format], FORCED, /AWS_REGION.*\n$/);
      expect(emulator.stdout).toMatch(/AWS_ENDPOINT_URL_STS/);
      expect(emulator.stdout).not.toContain(ESC);
    }, TIMEOUT);
  }

  it("whoami -f json", async () => {
    const r = await runCli(["whoami", HOP1, "-f", "json"], { ...sandbox().env(), ...FORCED });
    ok(r);
    expect(r.stdout).not.toContain(ESC);
  }, TIMEOUT);

  it("--write-profile: the credentials file (the warning on stderr naming it is coloured)", async () => {
    const file = join(tempDir(), "credentials");
    const r = await runCli([HOP1, "--write-profile", "ci", "--credentials-file", file], { ...sandbox().env(), ...FORCED });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toMatch(/^\[ci\]\naws_access_key_id = /);
    expect(readFileSync(file, "utf8")).not.toContain(ESC);
    expect(r.stderr).toContain(ESC);
  }, TIMEOUT);

  it("completion scripts and the __complete answers", async () => {
    for (const shell of ["bash", "zsh", "fish", "powershell"]) {
      const r = await runCli(["completion", shell], FORCED);
      ok(r);
      expect(r.stdout).not.toContain(ESC);
    }
    const answer = await runCli(["__complete", "--", "--f"], FORCED);
    expect(answer.stdout).toMatch(/^words\n--format\t/);
    expect(answer.stdout).not.toContain(ESC);
  }, TIMEOUT);

  it("a warning (duration capped on a chained hop) is coloured on stderr while the exports stay plain", async () => {
    const r = await runCli([HOP1, HOP2, "--duration", "2h"], { ...sandbox().env(), ...FORCED });
    ok(r);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stderr).toContain(ESC);
    expect(strip(r.stderr)).toMatch(/^assume-role: warning: --duration 2h lowered to 1h for /m);
  }, TIMEOUT);
});

describe.concurrent("errors, hints and --dry-run for people", () => {
  const BAD = ["arn:aws:iam::12345:role/Deploy"];

  it("FORCE_COLOR=1: the error line is red, the hint yellow, the text unchanged; stdout empty", async () => {
    const plain = await runCli(["whomai"]);
    const coloured = await runCli(["whomai"], { FORCE_COLOR: "1" });
    expect(coloured.code).toBe(2);
    expect(coloured.stdout).toBe("");
    const [message, hint] = coloured.stderr.split("\n");
    expect(message).toMatch(/^\x1b\[1m\x1b\[31massume-role:\x1b\[39m\x1b\[22m \x1b\[31mROLE 'whomai': did you mean whoami\?.*\x1b\[39m$/);
    expect(hint).toMatch(/^  \x1b\[1m\x1b\[33mhint:\x1b\[39m\x1b\[22m \x1b\[33m.+\x1b\[39m$/);
    expect(strip(coloured.stderr)).toBe(plain.stderr);
    expect(plain.stderr).not.toContain(ESC);
  }, TIMEOUT);

  it("NO_COLOR=1 beats FORCE_COLOR=1: the same error is plain", async () => {
    const plain = await runCli(BAD);
    const r = await runCli(BAD, { NO_COLOR: "1", FORCE_COLOR: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toBe(plain.stderr);
    expect(r.stderr).toMatch(/^assume-role: ROLE 'arn:aws:iam::12345:role\/Deploy' is not a role ARN/);
  }, TIMEOUT);

  it("commander's own errors (unknown option) are coloured the same way", async () => {
    const r = await runCli(["--formt", "json"], { FORCE_COLOR: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\x1b\[31massume-role: unknown option '--formt'/);
    expect(strip(r.stderr)).toBe((await runCli(["--formt", "json"])).stderr);
  }, TIMEOUT);

  it("--dry-run: labels bold with FORCE_COLOR=1, plain into a pipe, same text", async () => {
    const args = ["--dry-run", "--source", "imds", HOP1, HOP2];
    const plain = await runCli(args);
    const coloured = await runCli(args, { FORCE_COLOR: "1" });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
    expect(coloured.stdout).toMatch(/^\x1b\[1msource:\x1b\[22m IMDS/);
    expect(coloured.stdout).toMatch(/^\x1b\[1mhop 2:\x1b\[22m arn:aws:iam::222222222222:role\/CrossAccountRole$/m);
    expect(coloured.stdout).toMatch(/^  \x1b\[1msession name:\x1b\[22m /m);
    expect(strip(coloured.stdout)).toBe(plain.stdout);
  }, TIMEOUT);
});

describe("the demo (npm run demo)", () => {
  /** scripts/demo.js with stdout and stderr piped (it starts its own sandbox). */
  function demo(env: Record<string, string>): Promise<RunResult> {
    return spawnCollect(process.execPath, [join(ROOT, "scripts/demo.js")], { PATH: process.env.PATH!, HOME: tempDir(), LANG: "C.UTF-8", ...env });
  }


  it("piped: no escape sequence on stdout or stderr; with FORCE_COLOR=1 its step lines are bold", async () => {
    const piped = await demo({});
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/^\$ assume-role ExampleAssumedRole /m);
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
    const forced = await demo({ FORCE_COLOR: "1" });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^\x1b\[1m\$ assume-role ExampleAssumedRole .*\x1b\[22m$/m);
    expect(strip(forced.stdout).split("\n").filter((l) => l.startsWith("$ "))).toEqual(piped.stdout.split("\n").filter((l) => l.startsWith("$ ")));
  }, 120_000);
});
