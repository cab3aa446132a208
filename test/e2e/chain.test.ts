import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bashEnvAfter, cleanEnv, runCli, shQuote, spawnCollect } from "../helpers/cli.js";
import { DEFAULT_WORLD_JSON, parseWorld, startSandbox } from "../../src/sandbox/index.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const INSTANCE = "i-0123456789abcdef0";
const sandbox = useSandbox();

function assumeRequests() {
  return sandbox().requests.filter((r) => r.action === "AssumeRole");
}

describe("two-hop chain from IMDS, evaluated by bash", () => {
  it("exports credentials of the last role, session named after the instance, and nothing on stderr", async () => {
    const r = await runCli([HOP1, HOP2], sandbox().env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv({ ...sandbox().env(), AWS_PROFILE: "stale" }));
    expect(await identityOf(sandbox(), vars)).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`);
    expect(vars.AWS_PROFILE).toBeUndefined();
    expect(vars.AWS_REGION).toBe("us-east-1");
    expect(vars.AWS_DEFAULT_REGION).toBe("us-east-1");
    expect(vars.ASSUME_ROLE_ARN).toBe(HOP2);
    expect(new Date(vars.AWS_CREDENTIAL_EXPIRATION!).getTime()).toBeGreaterThan(Date.now());
    const hops = assumeRequests();
    expect(hops.map((h) => [h.params.RoleArn, h.params.RoleSessionName, h.params.DurationSeconds, h.status])).toEqual([
      [HOP1, INSTANCE, "3600", 200],
      [HOP2, INSTANCE, "3600", 200],
    ]);
    expect(hops[0]!.callerArn).toBe(`arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`);
    expect(hops[1]!.callerArn).toBe(`arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`);
  });

  it("completes a bare role name with the instance's account", async () => {
    const r = await runCli(["ExampleAssumedRole"], sandbox().env());
    expect(r.code).toBe(0);
    expect(assumeRequests().map((h) => h.params.RoleArn)).toEqual([HOP1]);
  });

  it("running the same eval line twice in one shell does not chain from the first run's exports", async () => {
    // --no-cache: the point is where the second run starts from, so both runs must really call STS.
    const line = `eval "$(${shQuote(process.execPath)} bin/assume-role.js --no-cache ${HOP1} ${HOP2})"`;
    const vars = await bashEnvAfter(`set -e\n${line}\n${line}`, cleanEnv(sandbox().env()));
    expect(await identityOf(sandbox(), vars)).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`);
    const callers = assumeRequests().map((h) => h.callerArn);
    expect(callers).toEqual([
      `arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`,
      `arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`,
      `arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`,
      `arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`,
    ]);
  });

  it("`unset` clears every exported variable", async () => {
    const cli = `${shQuote(process.execPath)} bin/assume-role.js`;
    const vars = await bashEnvAfter(`eval "$(${cli} ${HOP1})" && eval "$(${cli} unset)"`, cleanEnv(sandbox().env()));
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "ASSUME_ROLE_ARN", "AWS_REGION"]) {
      expect(vars[name], name).toBeUndefined();
    }
  });

  it("applies --session-name templates per hop", async () => {
    const r = await runCli([HOP1, HOP2, "-n", "cron-{role}-{hop}-{accountId}"], sandbox().env());
    expect(r.code).toBe(0);
    expect(assumeRequests().map((h) => h.params.RoleSessionName)).toEqual([
      "cron-ExampleAssumedRole-1-123456789012",
      "cron-CrossAccountRole-2-222222222222",
    ]);
  });

  it("caps a chained --duration at 1h with one warning line, and still succeeds", async () => {
    const r = await runCli([HOP1, "-d", "2h"], sandbox().env());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `assume-role: warning: --duration 2h lowered to 1h for ${HOP1}: AWS caps sessions assumed by role chaining at 1 hour\n`,
    );
    expect(assumeRequests()[0]!.params.DurationSeconds).toBe("3600");
  });

  it("passes --external-id to the last hop", async () => {
    const role = "arn:aws:iam::222222222222:role/ExternalIdRole";
    const denied = await runCli([HOP1, role], sandbox().env());
    expect(denied.code).toBe(4);
    const r = await runCli([HOP1, role, "--external-id", "example-external-id"], sandbox().env());
    expect(r.code).toBe(0);
    const sent = assumeRequests().filter((h) => h.params.RoleArn === role);
    expect(sent.map((h) => [h.params.ExternalId, h.status])).toEqual([
      [undefined, 403],
      ["example-external-id", 200],
    ]);
  });

  it("prints JSON and credential_process formats", async () => {
    const json = JSON.parse((await runCli([HOP1, "-f", "json"], sandbox().env())).stdout);
    expect(json.RoleArn).toBe(HOP1);
    expect(json.AccessKeyId).toMatch(/^ASIA/);
    const proc = JSON.parse((await runCli([HOP1, "-f", "process"], sandbox().env())).stdout);
    expect(proc.Version).toBe(1);
    expect(await identityOf(sandbox(), { AWS_ACCESS_KEY_ID: proc.AccessKeyId, AWS_SECRET_ACCESS_KEY: proc.SecretAccessKey, AWS_SESSION_TOKEN: proc.SessionToken })).toBe(
      `arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`,
    );
  });

  it("never writes a secret to stderr, even with -v", async () => {
    const r = await runCli([HOP1, HOP2, "-v", "-f", "json"], sandbox().env());
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(r.stderr).toContain("AssumeRole");
    expect(r.stderr).not.toContain(out.SecretAccessKey);
    expect(r.stderr).not.toContain(out.SessionToken);
  });
});

describe("environment source", () => {
  it("chains from long-term keys: the first hop is not chained, so 2h is sent as asked", async () => {
    const alice = sandbox().userKeys("alice");
    const r = await runCli([HOP1, "-d", "2h", "--source", "env"], {
      ...sandbox().env(),
      AWS_ACCESS_KEY_ID: alice.accessKeyId,
      AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(assumeRequests().map((h) => [h.callerArn, h.params.DurationSeconds, h.params.RoleSessionName])).toEqual([
      ["arn:aws:iam::123456789012:user/alice", "7200", expect.stringMatching(/^[\w+=,.@-]+@[\w+=,.@-]+$/)],
    ]);
  });

  it("auto uses foreign environment credentials before IMDS", async () => {
    const alice = sandbox().userKeys("alice");
    const r = await runCli([HOP1], { ...sandbox().env(), AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey });
    expect(r.code).toBe(0);
    expect(assumeRequests()[0]!.callerArn).toBe("arn:aws:iam::123456789012:user/alice");
    expect(sandbox().counts.imds).toEqual({});
  });
});

describe("failures: exit code, one line naming what to fix, nothing on stdout", () => {
  it("access denied: exit 4 naming caller and role, hint on both policies", async () => {
    const r = await runCli(["arn:aws:iam::222222222222:role/CrossAccountRole"], sandbox().env());
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    const [first, ...rest] = r.stderr.trimEnd().split("\n");
    expect(first).toBe(
      `assume-role: access denied: arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE} may not assume arn:aws:iam::222222222222:role/CrossAccountRole`,
    );
    const hint = rest.join("\n");
    expect(hint).toContain("permissions of arn:aws:iam::123456789012:role/ExampleRole must allow sts:AssumeRole");
    expect(hint).toContain("trust policy of arn:aws:iam::222222222222:role/CrossAccountRole must name arn:aws:iam::123456789012:role/ExampleRole");
  });

  it("off EC2 (IMDS refuses connections): exit 3, one line that says so and how to pick another source", async () => {
    const r = await runCli([HOP1]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: IMDS could not be reached at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n  hint: .*--source env/);
  });

  it.each([
    [["--duration", "10m", HOP1], "--duration '10m'"],
    [["--format", "yaml", HOP1], "--format"],
    [["arn:aws:iam::1:role/X"], "ROLE 'arn:aws:iam::1:role/X' is not a role ARN"],
    [["-n", "{bogus}", HOP1], "unknown token {bogus}"],
    [["--frobnicate"], "unknown option '--frobnicate'"],
  ])("usage error %j: exit 2 and no stdout", async (args, message) => {
    const r = await runCli(args, sandbox().env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split("\n")[0]).toMatch(/^assume-role: /);
    expect(sandbox().requests).toEqual([]);
  });

  it("a duration over the role's MaxSessionDuration is refused by STS: exit 8 with STS's words", async () => {
    const world = structuredClone(DEFAULT_WORLD_JSON) as { accounts: Record<string, { roles: Record<string, { maxSessionDuration?: number }> }> };
    world.accounts["123456789012"]!.roles.ExampleAssumedRole!.maxSessionDuration = 3600;
    const short = await startSandbox({ world: parseWorld(world, "test world") });
    try {
      const alice = short.userKeys("alice");
      const r = await runCli([HOP1, "-d", "2h", "--source", "env"], {
        ...short.env(),
        AWS_ACCESS_KEY_ID: alice.accessKeyId,
        AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
      });
      expect(r.code).toBe(8);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `assume-role: STS refused AssumeRole ${HOP1}: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.\n` +
          "  hint: ask for less with --duration, or raise the role's maximum session duration in IAM\n",
      );
    } finally {
      await short.close();
    }
  });
});

describe("command line shape", () => {
  it("refuses options written before a subcommand instead of dropping them", async () => {
    const r = await runCli(["--source", "env", "whoami"], sandbox().env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("assume-role: --source must come after the command name: assume-role whoami --source ...\n");
    expect(sandbox().requests).toEqual([]);
  });

  it("in CI, session names default to the run's identity", async () => {
    const r = await runCli([HOP1, "--no-cache"], { ...sandbox().env(), GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "4242", GITHUB_RUN_ATTEMPT: "2", GITHUB_REPOSITORY: "example/app" });
    expect(r.code).toBe(0);
    expect(assumeRequests().map((h) => h.params.RoleSessionName)).toEqual(["gh-4242-2-app"]);
  });

  it("-v after a ROLE still turns on diagnostics; nothing secret is printed", async () => {
    const r = await runCli([HOP1, "--no-cache", "-v"], sandbox().env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("hop 1: AssumeRole");
  });
});

describe("a profile whose credential_source is Environment", () => {
  it("does not chain from a previous run's exports either: exit 3 with the unset hint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-envprofile-"));
    const config = join(dir, "config");
    writeFileSync(config, `[profile deploy]\nrole_arn = ${HOP1}\ncredential_source = Environment\n`);
    const alice = sandbox().userKeys("alice");
    const cli = `${shQuote(process.execPath)} bin/assume-role.js --no-cache --profile deploy`;
    const env = cleanEnv({ ...sandbox().env(), AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey });
    const r = await spawnCollect("bash", ["-c", `eval "$(${cli})" || exit 9; out="$(${cli})"; echo "exit=$?" >&2; printf '%s' "$out"`], env);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("exit=3");
    expect(r.stderr).toContain("profile deploy (env): the environment holds credentials a previous assume-role run exported");
    expect(r.stderr).toContain('eval "$(assume-role unset)"');
    expect(assumeRequests().map((h) => h.callerArn)).toEqual(["arn:aws:iam::123456789012:user/alice"]);
  });
});
