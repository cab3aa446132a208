/**
 * `assume-role exec [ROLE...] -- CMD ARGS` end to end: the built CLI against the sandbox, with small
 * node children (test/fixtures/exec/) that report what they received.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, bashEnvAfter, cleanEnv, ROOT, runCli, shQuote, spawnCollect, type RunResult } from "../helpers/cli.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const FIXTURES = join(ROOT, "test/fixtures/exec");
const NODE = process.execPath;
const ENV_REPORT = [NODE, join(FIXTURES, "env-report.mjs")];
const sandbox = useSandbox();

interface EnvReport {
  env: Record<string, string>;
  argv: string[];
  cmdline: string[] | null;
  parentCmdline: string[] | null;
}

/** A parent environment with stale credentials, profile and container settings the child must not get. */
function staleParent(): Record<string, string> {
  return {
    ...sandbox().env(),
    AWS_PROFILE: "stale",
    AWS_DEFAULT_PROFILE: "stale",
    AWS_SECURITY_TOKEN: "x",
    AWS_CREDENTIAL_FILE: "/stale/credentials",
    AWS_SDK_LOAD_CONFIG: "1",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/stale",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "stale-bearer-token",
  };
}

const awsNames = (vars: Record<string, string | undefined>) =>
  Object.keys(vars)
    .filter((k) => (k.startsWith("AWS_") || k.startsWith("ASSUME_ROLE_")) && vars[k] !== undefined)
    .sort();

describe("exec: the child's environment", () => {
  // --source imds: AWS_PROFILE=stale would otherwise select a (missing) profile for assume-role itself.
  it("gets the variables the sh format exports, and none of the parent's stale ones; nothing on stdout from assume-role", async () => {
    const parent = staleParent();
    const r = await runCli(["exec", "--source", "imds", HOP1, HOP2, "--", ...ENV_REPORT], parent);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EnvReport; // stdout is the child's alone: it parses as its one JSON object
    expect(await identityOf(sandbox(), report.env)).toBe(FINAL_ARN);
    for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_FILE", "AWS_SDK_LOAD_CONFIG"]) {
      expect(report.env).not.toHaveProperty(name);
    }
    expect(awsNames(report.env).filter((k) => k.startsWith("AWS_CONTAINER_"))).toEqual([]);
    expect(report.env.ASSUME_ROLE_ARN).toBe(HOP2);

    // The same names a shell has after `eval "$(assume-role ...)"` in the same parent environment
    // (the stale container variables aside, which a shell keeps and exec drops).
    const printed = await runCli(["--source", "imds", HOP1, HOP2], parent);
    expect(printed.code).toBe(0);
    const evaluated = await bashEnvAfter(`eval ${shQuote(printed.stdout)}`, cleanEnv(parent));
    const expected = awsNames(evaluated).filter((k) => !["AWS_CREDENTIAL_FILE", "AWS_SDK_LOAD_CONFIG"].includes(k) && !k.startsWith("AWS_CONTAINER_"));
    expect(awsNames(report.env)).toEqual(expected);
  });

  it("no secret on any argv: neither the child's nor assume-role's, as /proc shows them", async () => {
    const r = await runCli(["exec", "--source", "imds", HOP1, "--", ...ENV_REPORT, "plain-arg"], sandbox().env());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EnvReport;
    expect(report.argv).toEqual(["plain-arg"]);
    if (report.cmdline === null || report.parentCmdline === null) {
      console.log("exec: /proc not available; checked process.argv only");
    } else {
      expect(report.cmdline).toEqual([...ENV_REPORT, "plain-arg"]);
      expect(report.parentCmdline).toEqual([NODE, BIN, "exec", "--source", "imds", HOP1, "--", ...ENV_REPORT, "plain-arg"]);
    }
    const secrets = [report.env.AWS_SECRET_ACCESS_KEY, report.env.AWS_SESSION_TOKEN, report.env.AWS_ACCESS_KEY_ID];
    expect(secrets.every((s) => typeof s === "string" && s.length > 0)).toBe(true);
    const argvText = JSON.stringify([report.argv, report.cmdline, report.parentCmdline]);
    for (const secret of secrets) expect(argvText).not.toContain(secret);
  });

  it("`-v` and other options after `--` belong to the command, not to assume-role", async () => {
    const r = await runCli(["exec", "--source", "imds", HOP1, "--", ...ENV_REPORT, "-v", "--format", "json", "--", "x"], sandbox().env());
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as EnvReport).argv).toEqual(["-v", "--format", "json", "--", "x"]);
    // assume-role itself stayed quiet: no -v diagnostics (hop lines) on stderr
    expect(r.stderr).not.toMatch(/hop 1|source:/);
  });

  it("options of assume-role between ROLEs and `--` still apply (here -v: diagnostics on stderr)", async () => {
    const r = await runCli(["exec", "--source", "imds", HOP1, "-v", "--", ...ENV_REPORT], sandbox().env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("hop 1: AssumeRole");
    expect((JSON.parse(r.stdout) as EnvReport).argv).toEqual([]);
  });
});

describe("exec: streams and --dry-run", () => {
  it("stdin, stdout and stderr are the child's own", async () => {
    const script = "process.stdin.pipe(process.stdout); process.stderr.write('to stderr')";
    const r = await spawnCollect(NODE, [BIN, "exec", "--source", "imds", "--", NODE, "-e", script], cleanEnv(sandbox().env()), "line 1\nline 2\n");
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "line 1\nline 2\n", "to stderr"]);
  });

  it("--dry-run prints the plan and the command, and runs neither", async () => {
    const r = await runCli(["exec", "--dry-run", "--source", "imds", HOP1, "--", "touch", "/nonexistent/never"], sandbox().env());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain(`hop 1: ${HOP1}`);
    expect(r.stdout).toContain('then: run ["touch","/nonexistent/never"]');
    expect(sandbox().counts.sts).toEqual({});
  });
});

describe("exec without a command: the user's shell", () => {
  const SHELL_SCRIPT = 'echo "role=$ASSUME_ROLE_ARN key=${AWS_ACCESS_KEY_ID%${AWS_ACCESS_KEY_ID#????}}"; exit 7\n';

  it.each([
    ["no `--`", ["exec", "--source", "imds", HOP1]],
    ["`--` and nothing after it", ["exec", "--source", "imds", HOP1, "--"]],
  ])("%s: runs $SHELL with the credentials, reading stdin, and returns its exit status", async (_name, args) => {
    const r = await spawnCollect(NODE, [BIN, ...args], cleanEnv({ ...sandbox().env(), SHELL: "/bin/sh" }), SHELL_SCRIPT);
    expect([r.code, r.stdout]).toEqual([7, `role=${HOP1} key=ASIA\n`]);
    expect(r.stderr).toMatch(new RegExp(`^assume-role: starting /bin/sh as ${HOP1}, until \\S+Z; exit it to return\n$`));
  });

  it("SHELL unset or not an absolute path: /bin/sh; -q: no notice", async () => {
    const r = await spawnCollect(NODE, [BIN, "exec", "-q", "--source", "imds", HOP1], cleanEnv({ ...sandbox().env(), SHELL: "bash" }), 'echo "$0"\n');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "/bin/sh\n", ""]);
  });

  it("--dry-run names the shell it would start", async () => {
    const r = await runCli(["exec", "--dry-run", "--source", "imds", HOP1], { ...sandbox().env(), SHELL: "/usr/bin/zsh" });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain('then: run ["/usr/bin/zsh"]');
    expect(sandbox().counts.sts).toEqual({});
  });
});

describe("exec: exit status", () => {
  it("passes the child's exit status through", async () => {
    const r = await runCli(["exec", "--source", "imds", HOP1, "--", NODE, "-e", "process.exit(3)"], sandbox().env());
    expect([r.code, r.stdout, r.stderr]).toEqual([3, "", ""]);
  });

  it("a child killed by SIGTERM → 143 (128 + 15)", async () => {
    const r = await runCli(["exec", "--source", "imds", "--", "sh", "-c", "kill -TERM $$"], sandbox().env());
    expect([r.code, r.signal, r.stdout, r.stderr]).toEqual([143, null, "", ""]);
  });

  it("a command that does not exist → 127 and one line naming it", async () => {
    const r = await runCli(["exec", "--source", "imds", HOP1, "--", "no-such-command-for-assume-role", "arg"], sandbox().env());
    expect([r.code, r.stdout]).toEqual([127, ""]);
    expect(r.stderr).toBe("assume-role: exec: no-such-command-for-assume-role: command not found\n");
  });

  it("a file that is not executable → 126", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "exec-126-")), "script.sh");
    writeFileSync(file, "#!/bin/sh\necho hi\n");
    chmodSync(file, 0o644);
    const r = await runCli(["exec", "--source", "imds", "--", file], sandbox().env());
    expect([r.code, r.stdout]).toEqual([126, ""]);
    expect(r.stderr).toMatch(/^assume-role: exec: .*script\.sh: not executable \(EACCES\)\n$/);
  });

  it("without `--`, a word that is a command on PATH is refused as a ROLE (exit 2, before any request)", async () => {
    const r = await runCli(["exec", HOP1, "true"], sandbox().env());
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/^assume-role: exec: 'true' would be taken as a ROLE, but it is a command \(\/\S+\/true\); put `--` before the command to run\n/);
    expect(r.stderr).toContain(`  hint: assume-role exec ${HOP1} -- true   (for a role of that name, give its ARN)\n`);
    expect(sandbox().counts.sts).toEqual({});
  });
  it("a chain failure is assume-role's exit code, and the command never runs", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "exec-never-")), "ran");
    const r = await runCli(["exec", "--source", "imds", "arn:aws:iam::222222222222:role/AliceOnlyRole", "--", "touch", marker], sandbox().env());
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    const ran = await runCli(["exec", "--source", "imds", "--", "test", "-e", marker], sandbox().env());
    expect(ran.code).toBe(1); // `test -e` found no file: the first command never ran
  });
});

/** Spawn the CLI, wait for the child to say "ready", send `signal` to assume-role (not the child). */
function runAndSignal(args: string[], signal: NodeJS.Signals): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // detached: a session of its own, so no terminal of the developer's is involved.
    const cli = spawn(NODE, [BIN, ...args], { env: cleanEnv(sandbox().env()), cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    cli.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!sent && stdout.includes("ready\n")) {
        sent = true;
        process.kill(cli.pid!, signal);
      }
    });
    cli.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    cli.on("error", reject);
    cli.on("close", (code, sig) => resolve({ code, signal: sig, stdout, stderr, ms: performance.now() - started }));
  });
}

describe("exec: signals sent to assume-role reach the child", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const)("%s: forwarded once, assume-role waits and returns the child's status", async (signal) => {
    const r = await runAndSignal(["exec", "--source", "imds", HOP1, "--", NODE, join(FIXTURES, "trap-report.mjs"), "7"], signal);
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(7);
    const report = JSON.parse(r.stdout.replace("ready\n", "")) as { got: string[] };
    expect(report.got).toEqual([signal]);
  });

  it("a child that does not trap SIGTERM dies of it: assume-role survives it and exits 143", async () => {
    const r = await runAndSignal(["exec", "--source", "imds", "--", "sh", "-c", "echo ready; exec sleep 30"], "SIGTERM");
    expect([r.code, r.signal, r.stderr]).toEqual([143, null, ""]);
  });
});
