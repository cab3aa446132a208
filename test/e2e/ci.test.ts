import { readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";
import { parseGithubEnv, parseGitlabDotenv } from "../fixtures/oidc/ci-readers.js";

const sandbox = useSandbox();
const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";

describe("-f gitlab", () => {
  it("prints a dotenv report that GitLab reads back into working credentials", async () => {
    const r = await runCli([HOP1, HOP2, "-f", "gitlab"], { ...sandbox().env(), CI: "true" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const vars = parseGitlabDotenv(r.stdout);
    expect(Object.keys(vars)).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_CREDENTIAL_EXPIRATION",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "ASSUME_ROLE_ARN",
      "ASSUME_ROLE_CHAIN",
      "ASSUME_ROLE_ACCESS_KEY_ID",
    ]);
    expect(vars.ASSUME_ROLE_ARN).toBe(HOP2);
    expect(vars.ASSUME_ROLE_CHAIN).toBe(`imds > ${HOP1} > ${HOP2}`);
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/CrossAccountRole\//);
  });
});

/** The $GITHUB_ENV half of `-f github` lives in the assume command; until it calls writeGithubOutputs, skip with the reason. */
const commandSource = readFileSync(join(ROOT, "src/commands/assume-command.ts"), "utf8");
const wired = commandSource.includes("writeGithubOutputs");
if (!wired) console.warn("skipping the $GITHUB_ENV tests: src/commands/assume-command.ts does not call writeGithubOutputs yet");

describe("-f github", () => {
  async function githubEnvFile(): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "assume-role-gh-")), "set_env_0b1c");
    await writeFile(path, "EARLIER_STEP=kept\n");
    return path;
  }

  it("stdout: an ::add-mask:: line for each secret and nothing else; no secret outside a mask line", async () => {
    const githubEnv = await githubEnvFile();
    const r = await runCli([HOP1, "-f", "github"], { ...sandbox().env(), CI: "true", GITHUB_ACTIONS: "true", GITHUB_ENV: githubEnv });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^::add-mask::\S+$/);
    const masked = lines.map((l) => l.slice("::add-mask::".length));
    expect(masked[0]).toMatch(/^ASIA/);
    if (!wired) return;
    const vars = parseGithubEnv(await readFile(githubEnv, "utf8"));
    expect(vars.EARLIER_STEP).toBe("kept");
    expect([vars.AWS_ACCESS_KEY_ID, vars.AWS_SECRET_ACCESS_KEY, vars.AWS_SESSION_TOKEN]).toEqual(masked);
    expect(vars.ASSUME_ROLE_ARN).toBe(HOP1);
    expect(await identityOf(sandbox(), vars)).toMatch(/assumed-role\/ExampleAssumedRole\//);
    expect(r.stderr).toBe("");
  });

  it.skipIf(!wired)("GITHUB_ENV unset: exit 8 before any STS call, nothing on stdout", async () => {
    const r = await runCli([HOP1, "-f", "github"], { ...sandbox().env(), GITHUB_ACTIONS: "true" });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("GITHUB_ENV");
    expect(sandbox().counts.sts).toEqual({});
  });
});
