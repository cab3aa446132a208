import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
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

describe("-f github", () => {
  async function runnerFile(name: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "assume-role-gh-")), name);
    await writeFile(path, "EARLIER_STEP=kept\n");
    return path;
  }
  const githubEnvFile = () => runnerFile("set_env_0b1c");
  const githubOutputFile = () => runnerFile("set_output_0b1c");
  const masksOf = (stdout: string) => stdout.split("\n").filter((l) => l !== "").map((l) => /^::add-mask::(\S+)$/.exec(l)?.[1] ?? `not a mask line: ${l}`);

  it("stdout: an ::add-mask:: line for each secret and nothing else; no secret outside a mask line", async () => {
    const githubEnv = await githubEnvFile();
    const r = await runCli([HOP1, "-f", "github"], { ...sandbox().env(), CI: "true", GITHUB_ACTIONS: "true", GITHUB_ENV: githubEnv });
    expect(r.code).toBe(0);
    const masked = masksOf(r.stdout);
    expect(masked).toHaveLength(3);
    expect(masked[0]).toMatch(/^ASIA/);
    const vars = parseGithubEnv(await readFile(githubEnv, "utf8"));
    expect(vars.EARLIER_STEP).toBe("kept");
    expect([vars.AWS_ACCESS_KEY_ID, vars.AWS_SECRET_ACCESS_KEY, vars.AWS_SESSION_TOKEN]).toEqual(masked);
    expect(vars.ASSUME_ROLE_ARN).toBe(HOP1);
    expect(await identityOf(sandbox(), vars)).toMatch(/assumed-role\/ExampleAssumedRole\//);
    expect(r.stderr).toBe("");
  });

  it("GITHUB_ENV unset: exit 8 before any STS call, nothing on stdout", async () => {
    const r = await runCli([HOP1, "-f", "github"], { ...sandbox().env(), GITHUB_ACTIONS: "true" });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("GITHUB_ENV");
    expect(sandbox().counts.sts).toEqual({});
  });

  it("step output aws-account-id goes to $GITHUB_OUTPUT (the final role's account); no credential is an output by default", async () => {
    const [githubEnv, githubOutput] = [await githubEnvFile(), await githubOutputFile()];
    const r = await runCli([HOP1, HOP2, "-f", "github"], { ...sandbox().env(), GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(parseGithubEnv(await readFile(githubOutput, "utf8"))).toEqual({ EARLIER_STEP: "kept", "aws-account-id": "222222222222" });
    expect(masksOf(r.stdout)).toHaveLength(3);
  });

  it("--output-credentials: the credentials are step outputs too (named as configure-aws-credentials names them), each masked", async () => {
    const [githubEnv, githubOutput] = [await githubEnvFile(), await githubOutputFile()];
    const r = await runCli([HOP1, "-f", "github", "--output-credentials"], { ...sandbox().env(), GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const outputs = parseGithubEnv(await readFile(githubOutput, "utf8"));
    const env = parseGithubEnv(await readFile(githubEnv, "utf8"));
    expect(outputs).toEqual({
      EARLIER_STEP: "kept",
      "aws-account-id": "123456789012",
      "aws-access-key-id": env.AWS_ACCESS_KEY_ID,
      "aws-secret-access-key": env.AWS_SECRET_ACCESS_KEY,
      "aws-session-token": env.AWS_SESSION_TOKEN,
      "aws-expiration": env.AWS_CREDENTIAL_EXPIRATION,
    });
    const masked = masksOf(r.stdout);
    for (const name of ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]) expect(masked).toContain(outputs[name]);
    expect(masked).not.toContain("123456789012");
  });

  it("--output-credentials without GITHUB_OUTPUT: exit 8 before any STS call", async () => {
    const r = await runCli([HOP1, "-f", "github", "--output-credentials"], { ...sandbox().env(), GITHUB_ENV: await githubEnvFile() });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toContain("--format github: GITHUB_OUTPUT is not set, and --output-credentials writes the credentials there as step outputs");
    expect(sandbox().counts.sts).toEqual({});
  });

  it.skipIf(process.platform !== "linux")("GITHUB_OUTPUT that cannot be appended to: exit 8, nothing on stdout, and $GITHUB_ENV as it was (no unmasked secret left)", async () => {
    const githubEnv = await githubEnvFile();
    // /proc/version is a regular file that no one can append to.
    const r = await runCli([HOP1, "-f", "github", "--output-credentials"], { ...sandbox().env(), GITHUB_ENV: githubEnv, GITHUB_OUTPUT: "/proc/version" });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toContain("--format github: cannot append to GITHUB_OUTPUT '/proc/version'");
    expect(await readFile(githubEnv, "utf8")).toBe("EARLIER_STEP=kept\n");
  });

  it("--mask-account-id: one more mask line, for the account", async () => {
    const [githubEnv, githubOutput] = [await githubEnvFile(), await githubOutputFile()];
    const r = await runCli([HOP1, "-f", "github", "--mask-account-id"], { ...sandbox().env(), GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(masksOf(r.stdout).slice(3)).toEqual(["123456789012"]);
  });

  it.each(["--output-credentials", "--mask-account-id"])("%s with another format: exit 2, before any request", async (flag) => {
    const r = await runCli([HOP1, "-f", "json", flag], sandbox().env());
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe(`assume-role: ${flag} applies only with -f github, not -f json\n`);
    expect(sandbox().counts.sts).toEqual({});
  });
});
