/**
 * The option matrix: every option that a command's --help lists has an entry here that runs the BUILT CLI
 * against the sandbox and asserts what a user observes: the form fields STS received on each hop
 * (sandbox.requests[].params), the file written, or the output. A last test reads the --help of every
 * command and fails when an option has no entry (or an entry names an option that no longer exists):
 * an option that is parsed but never reaches STS cannot come back unnoticed.
 *
 * Each entry starts its own sandbox, so the entries run concurrently without sharing request logs.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/program.js";
import { DEFAULT_WORLD_JSON, parseWorld, startSandbox, type Sandbox, type StsRequestRecord } from "../../src/sandbox/index.js";
import { BIN, cleanEnv, freePort, ROOT, runCli, type RunResult } from "../helpers/cli.js";
import { runUntilReady } from "../helpers/long-running.js";
import { startServeImds } from "../helpers/serve-imds.js";
import { GITHUB_ROLE, GITHUB_SUB, GITLAB_ISSUER, GITLAB_ROLE, GITLAB_SUB, DEPLOY_TARGET, mintToken } from "../fixtures/oidc/mint-token.js";
import { keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const A = "123456789012";
const HOP1 = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const EXTERNAL_ID_ROLE = "arn:aws:iam::222222222222:role/ExternalIdRole";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const ALICE_MFA = `arn:aws:iam::${A}:mfa/alice`;
const INSTANCE = "i-0123456789abcdef0";
const INSTANCE_SESSION = `arn:aws:sts::${A}:assumed-role/ExampleRole/${INSTANCE}`;
const ALICE = `arn:aws:iam::${A}:user/alice`;
const ENV_REPORT = join(ROOT, "test/fixtures/exec/env-report.mjs");

/** The commands that resolve credentials, and so share the resolve options. */
const RESOLVING = ["assume-role", "whoami", "exec", "serve", "doctor", "console"] as const;
type Resolving = (typeof RESOLVING)[number];

interface Outcome extends RunResult {
  /** The AssumeRole requests STS received, in order. */
  readonly hops: readonly StsRequestRecord[];
}

async function withSandbox<T>(fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await startSandbox();
  try {
    return await fn(sb);
  } finally {
    await sb.close();
  }
}

/**
 * The sandbox's variables, with a patient IMDS client: the entries run concurrently against sandboxes served
 * by this one test process, and the point here is what each option does, not how fast IMDS answers.
 */
const envOf = (sb: Sandbox): Record<string, string> => ({ ...sb.env(), AWS_METADATA_SERVICE_TIMEOUT: "10" });

const tempDir = () => mkdtempSync(join(tmpdir(), "assume-role-matrix-"));
const aliceEnv = (sb: Sandbox) => {
  const keys = sb.userKeys("alice");
  return { ...envOf(sb), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
};

/**
 * Run `cmd` with `args` as a user would: the default command prints, whoami prints the identity, exec runs
 * a child that reports its environment as JSON, serve prints its variables (and is then stopped), console
 * prints its login URL (--url) from the sandbox's federation endpoint (on its STS server).
 */
async function runAs(cmd: Resolving, args: readonly string[], env: Record<string, string | undefined>): Promise<RunResult> {
  switch (cmd) {
    case "assume-role":
      return runCli(args, env);
    case "whoami":
      return runCli(["whoami", ...args], env);
    case "doctor":
      // doctor runs the chain as the default command does and prints its checks.
      return runCli(["doctor", ...args], env);
    case "exec":
      return runCli(["exec", ...args, "--", process.execPath, ENV_REPORT], env);
    case "serve":
      // Serving goes on until stopped: stop it once its variables are out (a dry run ends by itself).
      return args.includes("--dry-run") ? runCli(["serve", ...args], env) : runUntilReady(["serve", ...args], env, /\n$/);
    case "console":
      return runCli(["console", "--url", "--signin-url", `${env.AWS_ENDPOINT_URL_STS}/federation`, ...args], env);
  }
}

async function outcome(sb: Sandbox, cmd: Resolving, args: readonly string[], env: Record<string, string | undefined> = envOf(sb)): Promise<Outcome> {
  const r = await runAs(cmd, args, env);
  return { ...r, hops: sb.requests.filter((q) => q.action === "AssumeRole") };
}

/** alice's keys with mfa_serial (an MFA session for every role after them), and profile `mfa` for MfaRole sourced from them. */
function aliceMfaProfiles(sb: Sandbox): Record<string, string> {
  return profileFiles(
    `[profile alice]\nmfa_serial = ${ALICE_MFA}\n[profile mfa]\nrole_arn = ${MFA_ROLE}\nsource_profile = alice\n`,
    keysSection("alice", sb.userKeys("alice")),
  );
}

const sessionRequests = (sb: Sandbox) => sb.requests.filter((q) => q.action === "GetSessionToken");

/** Exit 0 and nothing on stderr: the run did what was asked without a word. */
function succeeded(r: RunResult): void {
  expect(r.stderr, `stderr of a successful run`).toBe("");
  expect(r.code).toBe(0);
}

/** Form fields of a hop whose names start with `prefix` (e.g. `Tags.member.`). */
function fields(hop: StsRequestRecord | undefined, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(hop?.params ?? {}).filter(([k]) => k.startsWith(prefix)));
}

/** What the command handed the user, as variables (exec: the child's environment; others: their exports). */
function exportedVariables(cmd: Resolving, stdout: string): Record<string, string> {
  if (cmd === "exec") return (JSON.parse(stdout) as { env: Record<string, string> }).env;
  return Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * Entries for the options every resolving command shares: one scenario per option, run through each of the
 * four commands (the scenario asserts what STS received, which is the same whichever command asked).
 */
const SHARED: Record<string, (cmd: Resolving) => Promise<void>> = {
  "--profile": (cmd) =>
    withSandbox(async (sb) => {
      const files = profileFiles(`[profile deploy]\nrole_arn = ${HOP1}\ncredential_source = Ec2InstanceMetadata\nrole_session_name = from-profile\n`);
      const r = await outcome(sb, cmd, ["--profile", "deploy", HOP2], { ...envOf(sb), ...files });
      succeeded(r);
      expect(r.hops.map((h) => [h.params.RoleArn, h.params.RoleSessionName, h.callerArn])).toEqual([
        [HOP1, "from-profile", INSTANCE_SESSION],
        [HOP2, INSTANCE, `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/from-profile`],
      ]);
    }),

  "--source": (cmd) =>
    withSandbox(async (sb) => {
      // alice's keys are in the environment, which `auto` would use first: --source imds takes the instance role.
      const r = await outcome(sb, cmd, ["--source", "imds", HOP1], aliceEnv(sb));
      succeeded(r);
      expect(r.hops.map((h) => h.callerArn)).toEqual([INSTANCE_SESSION]);
    }),

  "--session-name": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["-n", "matrix-{hop}-{role}", HOP1, HOP2]);
      succeeded(r);
      expect(r.hops.map((h) => h.params.RoleSessionName)).toEqual(["matrix-1-ExampleAssumedRole", "matrix-2-CrossAccountRole"]);
    }),

  "--duration": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["-d", "15m", HOP1, HOP2]);
      succeeded(r);
      expect(r.hops.map((h) => h.params.DurationSeconds)).toEqual(["900", "900"]);
    }),

  "--external-id": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--external-id", "example-external-id", HOP1, EXTERNAL_ID_ROLE]);
      succeeded(r);
      expect(r.hops.map((h) => [h.params.ExternalId, h.status])).toEqual([
        [undefined, 200],
        ["example-external-id", 200],
      ]);
    }),

  "--mfa-serial": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--source", "env", "--mfa-serial", ALICE_MFA, "--mfa-token", "123456", MFA_ROLE], aliceEnv(sb));
      succeeded(r);
      expect(r.hops.map((h) => [h.params.SerialNumber, h.callerArn, h.status])).toEqual([[ALICE_MFA, ALICE, 200]]);
    }),

  "--mfa-token": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--source", "env", "--mfa-serial", ALICE_MFA, "--mfa-token", "123456", HOP1, MFA_ROLE], aliceEnv(sb));
      succeeded(r);
      // The code goes with the serial, on the first hop only; MfaRole accepts the chained session's MFA.
      expect(r.hops.map((h) => [h.params.RoleArn, h.params.TokenCode, h.status])).toEqual([
        [HOP1, "123456", 200],
        [MFA_ROLE, undefined, 200],
      ]);
    }),

  "--mfa-process": (cmd) =>
    withSandbox(async (sb) => {
      // No --mfa-token and no mfa_process in the profile: the code can only come from the command.
      const r = await outcome(sb, cmd, ["--profile", "mfa", "--mfa-process", "echo 123456"], { ...envOf(sb), ...aliceMfaProfiles(sb) });
      succeeded(r);
      expect(sessionRequests(sb).map((q) => [q.params.SerialNumber, q.params.TokenCode, q.status])).toEqual([[ALICE_MFA, "123456", 200]]);
      expect(r.hops.map((h) => [h.params.RoleArn, h.callerArn, h.status])).toEqual([[MFA_ROLE, ALICE, 200]]);
    }),

  "--mfa-session-duration": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--profile", "mfa", "--mfa-token", "123456", "--mfa-session-duration", "1h"], { ...envOf(sb), ...aliceMfaProfiles(sb) });
      succeeded(r);
      expect(sessionRequests(sb).map((q) => [q.params.DurationSeconds, q.status])).toEqual([["3600", 200]]);
      expect(r.hops.map((h) => [h.params.RoleArn, h.status])).toEqual([[MFA_ROLE, 200]]);
    }),

  "--source-identity": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--source", "env", "--source-identity", "alice@example.com", HOP1, HOP2], aliceEnv(sb));
      succeeded(r);
      expect(r.hops.map((h) => [h.params.SourceIdentity, h.status])).toEqual([
        ["alice@example.com", 200],
        ["alice@example.com", 200],
      ]);
    }),

  "--tag": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--source", "env", "--tag", "Team=ops", "--tag", "Cost Center=42:a/b", HOP1, HOP2], aliceEnv(sb));
      succeeded(r);
      const sent = { "Tags.member.1.Key": "Team", "Tags.member.1.Value": "ops", "Tags.member.2.Key": "Cost Center", "Tags.member.2.Value": "42:a/b" };
      expect(r.hops.map((h) => [fields(h, "Tags."), fields(h, "TransitiveTagKeys."), h.status])).toEqual([
        [sent, {}, 200],
        [sent, {}, 200],
      ]);
    }),

  "--transitive-tag": (cmd) =>
    withSandbox(async (sb) => {
      const args = ["--source", "env", "--tag", "Team=ops", "--tag", "Env=prod", "--transitive-tag", "Env", HOP1, HOP2];
      const r = await outcome(sb, cmd, args, aliceEnv(sb));
      succeeded(r);
      // Hop 1 sends both tags and names Env transitive; hop 2 inherits Env (setting it again fails at AWS) and sends Team only.
      expect(r.hops.map((h) => [fields(h, "Tags."), fields(h, "TransitiveTagKeys."), h.status])).toEqual([
        [
          { "Tags.member.1.Key": "Team", "Tags.member.1.Value": "ops", "Tags.member.2.Key": "Env", "Tags.member.2.Value": "prod" },
          { "TransitiveTagKeys.member.1": "Env" },
          200,
        ],
        [{ "Tags.member.1.Key": "Team", "Tags.member.1.Value": "ops" }, {}, 200],
      ]);
    }),

  "--policy": (cmd) =>
    withSandbox(async (sb) => {
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::matrix/*" }] };
      const file = join(tempDir(), "session-policy.json");
      writeFileSync(file, `${JSON.stringify(policy, null, 2)}\n`);
      const r = await outcome(sb, cmd, ["--policy", file, HOP1, HOP2]);
      succeeded(r);
      expect(r.hops.map((h) => h.params.Policy)).toEqual([undefined, JSON.stringify(policy, null, 2)]);
    }),

  "--policy-arn": (cmd) =>
    withSandbox(async (sb) => {
      const arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::222222222222:policy/team/DeployLimits"];
      const r = await outcome(sb, cmd, ["--policy-arn", arns[0]!, "--policy-arn", arns[1]!, HOP1, HOP2]);
      succeeded(r);
      expect(r.hops.map((h) => fields(h, "PolicyArns."))).toEqual([{}, { "PolicyArns.member.1.arn": arns[0], "PolicyArns.member.2.arn": arns[1] }]);
    }),

  "--web-identity-token-file": (cmd) =>
    withSandbox(async (sb) => {
      const file = join(tempDir(), "token");
      writeFileSync(file, mintToken());
      const r = await outcome(sb, cmd, ["--web-identity-token-file", file, GITHUB_ROLE, "DeployTarget"], stsOnly(sb));
      succeeded(r);
      expect(sb.requests.map((q) => [q.action, q.params.RoleArn, q.webIdentity?.subject, q.status])).toEqual([
        ["AssumeRoleWithWebIdentity", GITHUB_ROLE, GITHUB_SUB, 200],
        ["AssumeRole", DEPLOY_TARGET, undefined, 200],
        ...(cmd === "whoami" ? [["GetCallerIdentity", undefined, undefined, 200]] : []),
      ]);
    }),

  "--web-identity-token-env": (cmd) =>
    withSandbox(async (sb) => {
      const env = { ...stsOnly(sb), MATRIX_OIDC_TOKEN: mintToken({ issuer: GITLAB_ISSUER }) };
      const r = await outcome(sb, cmd, ["--web-identity-token-env", "MATRIX_OIDC_TOKEN", GITLAB_ROLE], env);
      succeeded(r);
      expect(sb.requests.filter((q) => q.action !== "GetCallerIdentity").map((q) => [q.action, q.params.RoleArn, q.webIdentity?.subject, q.status])).toEqual([
        ["AssumeRoleWithWebIdentity", GITLAB_ROLE, GITLAB_SUB, 200],
      ]);
    }),

  "--region": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["-r", "eu-west-1", HOP1]);
      succeeded(r);
      // AWS_REGION=us-east-1 is in the environment: the flag wins, for the signature and for what is exported.
      expect(sb.requests.map((q) => q.signingRegion)).toEqual(cmd === "whoami" ? ["eu-west-1", "eu-west-1"] : ["eu-west-1"]);
      if (cmd === "console") expect(new URL(r.stdout.trim()).searchParams.get("Destination")).toBe("https://console.aws.amazon.com/console/home?region=eu-west-1");
      else if (cmd !== "whoami" && cmd !== "doctor") expect(exportedVariables(cmd, r.stdout).AWS_REGION).toBe("eu-west-1");
    }),

  "--no-cache": (cmd) =>
    withSandbox(async (sb) => {
      const cache = tempDir();
      const env = { ...envOf(sb), XDG_CACHE_HOME: cache };
      const entries = () => (existsSync(join(cache, "assume-role")) ? readdirSync(join(cache, "assume-role")).filter((f) => f.endsWith(".json")) : []);
      succeeded(await runAs(cmd, ["--no-cache", HOP1], env));
      succeeded(await runAs(cmd, ["--no-cache", HOP1], env));
      expect(sb.requests.filter((q) => q.action === "AssumeRole")).toHaveLength(2);
      expect(entries()).toEqual([]);
      // Control: the same command without --no-cache writes an entry, and its next run makes no AssumeRole.
      succeeded(await runAs(cmd, [HOP1], env));
      succeeded(await runAs(cmd, [HOP1], env));
      expect(sb.requests.filter((q) => q.action === "AssumeRole")).toHaveLength(3);
      expect(entries()).toHaveLength(1);
      // --no-cache with --refresh says two opposite things: refused (exec's --refresh is the endpoint, and may).
      if (cmd !== "exec") refusedAfter(await runAs(cmd, ["--no-cache", "--refresh", HOP1], env), /option '--refresh' cannot be used with option '--no-cache'/);
    }),

  "--dry-run": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["--dry-run", HOP1]);
      succeeded(r);
      expect(r.stdout).toContain(`hop 1: ${HOP1}\n  session name: {instanceId} (default)\n`);
      expect(r.stdout).toMatch(/\nthen: .+\n$/);
      expect(sb.counts).toEqual({ imds: {}, sts: {} });
    }),

  "--verbose": (cmd) =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, cmd, ["-v", HOP1]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`hop 1: AssumeRole ${HOP1} as ${INSTANCE}`);
    }),

  "--quiet": (cmd) =>
    withSandbox(async (sb) => {
      // Asking a chained hop for 2h is one warning line; -q keeps stderr empty.
      const loud = await runAs(cmd, ["-d", "2h", HOP1, "--no-cache"], envOf(sb));
      expect(loud.stderr).toMatch(new RegExp(`^assume-role: warning: --duration 2h lowered to 1h for ${HOP1}`, "m"));
      sb.resetCounts();
      const r = await outcome(sb, cmd, ["-q", "-d", "2h", HOP1, "--no-cache"]);
      succeeded(r);
      expect(r.hops.map((h) => h.params.DurationSeconds)).toEqual(["3600"]);
      refusedAfter(await runAs(cmd, ["-q", "-v", HOP1], envOf(sb)), /option '-q, --quiet' cannot be used with option '-v, --verbose'/);
    }),
};

/** A refusal of conflicting flags: exit 2, one line, nothing on stdout (the sandbox may hold earlier requests). */
function refusedAfter(r: RunResult, line: RegExp): void {
  expect([r.code, r.stdout]).toEqual([2, ""]);
  expect(r.stderr).toMatch(new RegExp(`^assume-role: ${line.source}\n$`));
}

/** STS only: IMDS points at a closed port (runCli's default), so nothing can come from the instance. */
function stsOnly(sb: Sandbox): Record<string, string> {
  return { AWS_ENDPOINT_URL_STS: sb.stsEndpoint, AWS_REGION: "us-east-1" };
}

/** `assume-role sandbox ARGS`: its printed variables (sh form unless ARGS say otherwise), after it stopped. */
async function sandboxCommand(args: readonly string[]): Promise<RunResult> {
  const r = await runUntilReady(["sandbox", ...args], {}, /\n$/);
  expect(r.code).toBe(0);
  return r;
}

const helpEntry = (cmd: string) => async () => {
  const r = await runCli(cmd === "assume-role" ? ["--help"] : [cmd, "--help"]);
  succeeded(r);
  expect(r.stdout).toMatch(new RegExp(`^Usage: assume-role ${cmd === "assume-role" ? "" : `${cmd} `}\\[options\\]`));
};

/** Entries for options that are one command's own. */
const OWN: Record<string, () => Promise<void>> = {
  "assume-role --version": async () => {
    const r = await runCli(["-V"]);
    succeeded(r);
    expect(r.stdout).toBe(`${VERSION}\n`);
  },

  "assume-role --format": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "assume-role", ["-f", "json", HOP1]);
      succeeded(r);
      const out = JSON.parse(r.stdout) as Record<string, string>;
      expect([out.RoleArn, out.AccessKeyId?.slice(0, 4)]).toEqual([HOP1, "ASIA"]);
      const fish = await runCli(["-f", "fish", HOP1], envOf(sb));
      expect(fish.stdout).toMatch(/^set -gx AWS_ACCESS_KEY_ID 'ASIA/m);
    }),

  "assume-role --write-profile": () =>
    withSandbox(async (sb) => {
      const files = profileFiles("");
      const r = await outcome(sb, "assume-role", ["-w", "matrix", HOP1], { ...envOf(sb), ...files });
      expect([r.code, r.stdout]).toEqual([0, ""]);
      expect(r.stderr).toMatch(/^assume-role: wrote profile \[matrix\] to /);
      expect(readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, "utf8")).toMatch(/^\[matrix\]\naws_access_key_id = ASIA\w+\n/);
      // -w prints nothing, so an explicit --format is refused rather than ignored.
      refusedAfter(await runCli(["-w", "matrix", "-f", "json", HOP1], { ...envOf(sb), ...files }), /option '-w, --write-profile <name>' cannot be used with option '-f, --format <format>'/);
    }),

  "assume-role --credentials-file": () =>
    withSandbox(async (sb) => {
      const files = profileFiles("");
      const path = join(tempDir(), "credentials");
      const r = await outcome(sb, "assume-role", ["-w", "matrix", "--credentials-file", path, HOP1], { ...envOf(sb), ...files });
      expect(r.code).toBe(0);
      expect(readFileSync(path, "utf8")).toMatch(/^\[matrix\]\naws_access_key_id = ASIA/);
      expect(readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, "utf8")).toBe("");
      const before = sb.requests.length;
      refusedAfter(await runCli(["--credentials-file", path, HOP1], envOf(sb)), /--credentials-file applies only with -w\/--write-profile, which is not given/);
      expect(sb.requests).toHaveLength(before);
    }),

  "assume-role --force": () =>
    withSandbox(async (sb) => {
      const path = join(tempDir(), "credentials");
      const before = keysSection("static", sb.userKeys("alice"));
      writeFileSync(path, before, { mode: 0o600 });
      const kept = await runCli(["-w", "static", "--credentials-file", path, HOP1], envOf(sb));
      expect([kept.code, kept.stdout]).toEqual([8, ""]);
      expect(readFileSync(path, "utf8")).toBe(before);
      const forced = await runCli(["-w", "static", "--credentials-file", path, "--force", HOP1], envOf(sb));
      expect(forced.code).toBe(0);
      expect(readFileSync(path, "utf8")).toMatch(/^\[static\]\naws_access_key_id = ASIA/);
    }),

  "assume-role --output-credentials": () =>
    withSandbox(async (sb) => {
      const dir = tempDir();
      const [env, output] = [join(dir, "env"), join(dir, "output")];
      writeFileSync(env, "");
      writeFileSync(output, "");
      const r = await outcome(sb, "assume-role", ["-f", "github", "--output-credentials", HOP1], { ...envOf(sb), GITHUB_ENV: env, GITHUB_OUTPUT: output });
      succeeded(r);
      const written = readFileSync(output, "utf8");
      expect([...written.matchAll(/^([\w-]+)<</gm)].map((m) => m[1])).toEqual(["aws-account-id", "aws-access-key-id", "aws-secret-access-key", "aws-session-token", "aws-expiration"]);
      const key = /^aws-access-key-id<<(\S+)\n(ASIA\w+)\n\1$/m.exec(written)?.[2];
      expect(r.stdout).toContain(`::add-mask::${key}\n`);
      refusedAfter(await runCli(["-f", "sh", "--output-credentials", HOP1], envOf(sb)), /--output-credentials applies only with -f github, not -f sh/);
    }),

  "assume-role --mask-account-id": () =>
    withSandbox(async (sb) => {
      const env = join(tempDir(), "env");
      writeFileSync(env, "");
      const plain = await runCli(["-f", "github", HOP1], { ...envOf(sb), GITHUB_ENV: env });
      const masked = await outcome(sb, "assume-role", ["-f", "github", "--mask-account-id", HOP1], { ...envOf(sb), GITHUB_ENV: env });
      succeeded(masked);
      expect(plain.stdout).not.toContain(`::add-mask::${A}\n`);
      expect(masked.stdout).toMatch(new RegExp(`::add-mask::${A}\n$`));
    }),

  "whoami --format": () =>
    withSandbox(async (sb) => {
      const text = await outcome(sb, "whoami", [HOP1]);
      succeeded(text);
      expect(text.stdout).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}\n`);
      const json = await runCli(["whoami", "-f", "json", HOP1], envOf(sb));
      succeeded(json);
      expect(JSON.parse(json.stdout)).toMatchObject({ Account: A, Arn: `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}` });
    }),

  "whoami --json": () =>
    withSandbox(async (sb) => {
      const r = await runCli(["whoami", "--json", HOP1], { ...envOf(sb), FORCE_COLOR: "1" });
      succeeded(r);
      expect(r.stdout).not.toContain("\x1b");
      expect(JSON.parse(r.stdout)).toMatchObject({ Account: A, Arn: `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}`, MadeBy: null });
      // Control: without it, the same command prints the ARN as text.
      const text = await runCli(["whoami", HOP1], envOf(sb));
      expect(text.stdout).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}\n`);
      refusedAfter(await runCli(["whoami", "--json", "-f", "text", HOP1], envOf(sb)), /whoami: --json cannot be used with -f text: .*/);
    }),

  "whoami --chain": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "whoami", ["--chain", "--json", HOP1, HOP2]);
      succeeded(r);
      const out = JSON.parse(r.stdout) as { Source: { Kind: string; Role: string }; Hops: Array<{ RoleArn: string; AssumedRoleArn: string; From: string }> };
      expect(out.Source).toMatchObject({ Kind: "imds", Role: "ExampleRole" });
      expect(out.Hops.map((h) => [h.RoleArn, h.AssumedRoleArn, h.From])).toEqual([
        [HOP1, `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}`, "sts"],
        [HOP2, `arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`, "sts"],
      ]);
      // No request beyond the chain's hops and the one GetCallerIdentity whoami always makes.
      expect(sb.requests.map((q) => q.action)).toEqual(["AssumeRole", "AssumeRole", "GetCallerIdentity"]);
      const text = await runCli(["whoami", "--chain", HOP1], envOf(sb));
      expect(text.stdout).toMatch(new RegExp(`^source +IMDS, instance profile role ExampleRole, key ASIA…\\w{4}$`, "m"));
      // Control: without it, no hop is shown.
      expect((await runCli(["whoami", HOP1], envOf(sb))).stdout).not.toMatch(/^hop 1/m);
    }),

  "doctor --json": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "doctor", ["--json", HOP1, HOP2]);
      succeeded(r);
      const report = JSON.parse(r.stdout) as { ok: boolean; exitCode: number; checks: { name: string; status: string }[] };
      expect([report.ok, report.exitCode]).toEqual([true, 0]);
      expect(report.checks.map((c) => `${c.name} ${c.status}`)).toEqual(["environment ok", "source ok", "clock ok", "hop 1 ok", "hop 2 ok", "result ok"]);
      // Control: without --json the same checks are lines for people.
      const text = await runCli(["doctor", HOP1, HOP2], envOf(sb));
      expect(text.stdout).toMatch(/^ok {4}hop 2: arn:aws:sts::222222222222:assumed-role\/CrossAccountRole\//m);
      expect(() => JSON.parse(text.stdout)).toThrow();
    }),

  "serve --format": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "serve", ["-f", "dotenv", HOP1]);
      succeeded(r);
      expect(r.stdout).toMatch(/^AWS_CONTAINER_CREDENTIALS_FULL_URI=http:\/\/127\.0\.0\.1:\d+\/\S*$/m);
      expect(r.stdout).not.toMatch(/^export /m);
    }),

  "serve --imds": () =>
    withSandbox(async (sb) => {
      const serving = await startServeImds([HOP1], envOf(sb));
      try {
        expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect(serving.stdout).not.toMatch(/^export AWS_CONTAINER_CREDENTIALS_FULL_URI=/m);
        // Our own CLI, told only that endpoint, takes the served role as its IMDS source.
        const who = await runCli(["whoami", "--source", "imds"], { AWS_EC2_METADATA_SERVICE_ENDPOINT: serving.url, ...stsOnly(sb) });
        succeeded(who);
        expect(who.stdout).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}\n`);
        expect(sb.requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual([HOP1]);
      } finally {
        await serving.stop();
      }
    }),

  "serve --port": () =>
    withSandbox(async (sb) => {
      const port = await freePort();
      const serving = await startServeImds(["--port", String(port), HOP1], envOf(sb));
      try {
        expect(serving.url).toBe(`http://127.0.0.1:${port}/`);
        expect(await imdsToken(`http://127.0.0.1:${port}`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      } finally {
        await serving.stop();
      }
      refusedAfter(await runCli(["serve", "--port", String(port), HOP1], envOf(sb)), /--port applies only with --imds, which is not given/);
    }),

  "serve --host": () =>
    withSandbox(async (sb) => {
      const serving = await startServeImds(["--host", "127.0.0.2", HOP1], envOf(sb));
      try {
        expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/);
        expect(await imdsToken(serving.url.slice(0, -1))).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(serving.stderr()).toBe("");
      } finally {
        await serving.stop();
      }
      refusedAfter(await runCli(["serve", "--host", "127.0.0.2", HOP1], envOf(sb)), /--host applies only with --imds, which is not given/);
    }),

  "exec --refresh": () =>
    withSandbox(async (sb) => {
      // On exec, --refresh hands CMD a renewing endpoint instead of the keys.
      const r = await outcome(sb, "exec", ["--refresh", HOP1]);
      succeeded(r);
      const env = exportedVariables("exec", r.stdout);
      expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
      expect(r.hops.map((h) => h.params.RoleArn)).toEqual([HOP1]);
    }),

  "console --url": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "console", [HOP1]);
      succeeded(r);
      const url = new URL(r.stdout.trim());
      expect(r.stdout).toBe(`${url.href}\n`);
      expect([url.searchParams.get("Action"), url.searchParams.get("SigninToken")]).toEqual(["login", sb.federationRequests[0]!.signinToken]);
      // Control: without --url the login URL goes to the opener (BROWSER here), and stdout stays empty.
      const dir = tempDir();
      const record = join(dir, "argv");
      writeFileSync(join(dir, "browser"), `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`, { mode: 0o755 });
      const opened = await runCli(["console", "--signin-url", sb.federationEndpoint, HOP1], { ...envOf(sb), BROWSER: join(dir, "browser") });
      expect([opened.code, opened.stdout, opened.stderr]).toEqual([0, "", ""]);
      expect(new URL(readFileSync(record, "utf8")).searchParams.get("SigninToken")).toBe(sb.federationRequests[1]!.signinToken);
    }),

  "console --signin-url": () =>
    withSandbox(async (sb) => {
      const r = await runCli(["console", "--url", "--signin-url", sb.federationEndpoint, HOP1], envOf(sb));
      succeeded(r);
      expect(r.stdout.startsWith(`${sb.federationEndpoint}?Action=login&`)).toBe(true);
      expect(sb.federationRequests.map((f) => [f.action, f.status])).toEqual([["getSigninToken", 200]]);
      // Plain http elsewhere than loopback would send the session's secret in clear: refused before any request.
      const before = sb.requests.length;
      failedWith(await runCli(["console", "--url", "--signin-url", "http://signin.example.com/federation", HOP1], envOf(sb)), 2, /--signin-url 'http:\/\/signin\.example\.com\/federation': must be https/);
      expect(sb.requests).toHaveLength(before);
    }),

  "console --destination": () =>
    withSandbox(async (sb) => {
      const r = await outcome(sb, "console", ["--destination", "/cloudwatch/home", HOP1]);
      succeeded(r);
      expect(new URL(r.stdout.trim()).searchParams.get("Destination")).toBe("https://console.aws.amazon.com/cloudwatch/home?region=us-east-1");
    }),

  "unset --format": async () => {
    const fish = await runCli(["unset", "-f", "fish"]);
    succeeded(fish);
    expect(fish.stdout).toMatch(/^if set -q -g AWS_ACCESS_KEY_ID; set -e -g AWS_ACCESS_KEY_ID; end;/);
    refusedAfter(await runCli(["unset", "-f", "json"]), /option '-f, --format <format>' argument 'json' is invalid\. Allowed choices are sh, bash, zsh, fish, nu, powershell, pwsh, cmd\./);
  },

  "sandbox --world": async () => {
    const world: any = structuredClone(DEFAULT_WORLD_JSON);
    world.instance.instanceId = "i-0aaaabbbbccccdddd";
    parseWorld(world, "matrix");
    const file = join(tempDir(), "world.json");
    writeFileSync(file, JSON.stringify(world));
    const who = await withLiveSandbox(["--world", file], (vars) => runCli(["whoami", "ExampleAssumedRole"], vars));
    succeeded(who);
    expect(who.stdout).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/i-0aaaabbbbccccdddd\n`);
  },

  "sandbox --imds-port": async () => {
    const port = await freePort();
    const r = await sandboxCommand(["--imds-port", String(port)]);
    expect(r.stdout).toContain(`export AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:${port}'\n`);
  },

  "sandbox --sts-port": async () => {
    const port = await freePort();
    const r = await sandboxCommand(["--sts-port", String(port)]);
    expect(r.stdout).toContain(`export AWS_ENDPOINT_URL_STS='http://127.0.0.1:${port}'\n`);
  },

  "sandbox --format": async () => {
    const r = await sandboxCommand(["-f", "dotenv"]);
    expect(r.stdout).toMatch(/^AWS_ENDPOINT_URL_STS=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(r.stdout).toMatch(/^AWS_REGION=us-east-1$/m);
  },
};

/** A failure as the user meets it: exit `code`, nothing on stdout, the first stderr line naming what went wrong. */
function failedWith(r: RunResult, code: number, line: RegExp): void {
  expect([r.code, r.stdout]).toEqual([code, ""]);
  expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^assume-role: ${line.source}`));
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const LOOPBACK = String.raw`http://127\.0\.0\.1:\d+`;

/** An IMDSv2 session token from the sandbox's IMDS (asserts the PUT is answered 200). */
async function imdsToken(imds: string): Promise<string> {
  const put = await fetch(`${imds}/latest/api/token`, { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" } });
  expect(put.status).toBe(200);
  return put.text();
}

/** The status of an IMDS GET of the instance ID, with `token` when given. */
async function imdsGet(imds: string, token?: string): Promise<number> {
  const res = await fetch(`${imds}/latest/meta-data/instance-id`, { headers: token === undefined ? {} : { "x-aws-ec2-metadata-token": token } });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Entries for the sandbox's fault flags: each starts `assume-role sandbox --FLAG`, and meets the fault as a user
 * would, through the built CLI (exit code and first stderr line) or with a plain HTTP request to the printed endpoint.
 */
const SANDBOX_FAULTS: Record<string, () => Promise<void>> = {
  "sandbox --latency": () =>
    withLiveSandbox(["--latency", "1s"], async (vars) => {
      const imds = vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      // A first request warms this process's HTTP client up (untimed); then one timed request to each service.
      expect(await imdsGet(imds)).toBe(200);
      const timed = async (request: () => Promise<unknown>) => {
        const started = performance.now();
        await request();
        return performance.now() - started;
      };
      const [imdsMs, stsMs] = await Promise.all([
        timed(async () => expect(await imdsGet(imds)).toBe(200)),
        // STS answers this unsigned request too (refusing it), after the same wait.
        timed(async () => (await fetch(vars.AWS_ENDPOINT_URL_STS!, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" })).arrayBuffer()),
      ]);
      // A lower bound only (less 10 ms for timer granularity): a loaded machine may take longer, never shorter.
      // Without the flag these take ~100 ms while the other entries run, hence a whole second: well apart.
      expect(imdsMs).toBeGreaterThanOrEqual(990);
      expect(stsMs).toBeGreaterThanOrEqual(990);
    }),

  "sandbox --sts-throttle-first": () =>
    withLiveSandbox(["--sts-throttle-first", "1"], async (vars) => {
      const env = { ...vars, AWS_MAX_ATTEMPTS: "1" };
      failedWith(await runCli([HOP1], env), 7, new RegExp(`STS throttled \\(Throttling\\) on AssumeRole ${esc(HOP1)} after 1 attempt`));
      // Only the first request: the next run is answered.
      succeeded(await runCli([HOP1], env));
    }),

  "sandbox --sts-5xx-first": () =>
    withLiveSandbox(["--sts-5xx-first", "1"], async (vars) => {
      const env = { ...vars, AWS_MAX_ATTEMPTS: "1" };
      failedWith(await runCli([HOP1], env), 7, new RegExp(`STS unavailable \\(HTTP 503\\) on AssumeRole ${esc(HOP1)} after 1 attempt`));
      succeeded(await runCli([HOP1], env));
    }),

  "sandbox --sts-fault": () =>
    withLiveSandbox(["--sts-fault", "reset"], async (vars) => {
      const r = await runCli([HOP1], { ...vars, AWS_MAX_ATTEMPTS: "1" });
      failedWith(r, 6, new RegExp(`STS at ${LOOPBACK} closed the connection without answering AssumeRole ${esc(HOP1)} \\(ECONNRESET`));
    }),

  "sandbox --sts-session-seconds": () =>
    withLiveSandbox(["--sts-session-seconds", "120"], async (vars) => {
      // One hour asked for (the default); the sandbox's STS caps it at two minutes.
      const r = await runCli([HOP1], vars);
      const done = Date.now();
      succeeded(r);
      const expiration = Date.parse(exportedVariables("assume-role", r.stdout).AWS_CREDENTIAL_EXPIRATION ?? "");
      expect(expiration).toBeGreaterThan(done);
      expect(expiration).toBeLessThanOrEqual(done + 120_000);
    }),

  "sandbox --imds-v1-only": () =>
    withLiveSandbox(["--imds-v1-only"], async (vars) => {
      const put = await fetch(`${vars.AWS_EC2_METADATA_SERVICE_ENDPOINT}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      });
      expect(put.status).toBe(405);
      // The CLI falls back to IMDSv1 without a word.
      succeeded(await runCli([HOP1], vars));
    }),

  "sandbox --imds-v2-required": () =>
    withLiveSandbox(["--imds-v2-required"], async (vars) => {
      const imds = vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      expect(await imdsGet(imds)).toBe(401);
      expect(await imdsGet(imds, await imdsToken(imds))).toBe(200);
    }),

  "sandbox --imds-token-unanswered": () =>
    withLiveSandbox(["--imds-token-unanswered"], async (vars) => {
      const imds = vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      const put = fetch(`${imds}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
        signal: AbortSignal.timeout(500),
      });
      await expect(put).rejects.toMatchObject({ name: "TimeoutError" });
      expect(await imdsGet(imds)).toBe(200);
    }),

  "sandbox --imds-down": () =>
    withLiveSandbox(["--imds-down"], async (vars) => {
      failedWith(await runCli([HOP1], vars), 3, new RegExp(`IMDS could not be reached at ${LOOPBACK} \\(`));
    }),

  "sandbox --imds-401-after": () =>
    withLiveSandbox(["--imds-401-after", "1"], async (vars) => {
      const imds = vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      expect(await imdsGet(imds, await imdsToken(imds))).toBe(200);
      // The second GET is refused, with a fresh token too.
      expect(await imdsGet(imds, await imdsToken(imds))).toBe(401);
    }),

  "sandbox --imds-fault": () =>
    withLiveSandbox(["--imds-fault", "garbage"], async (vars) => {
      failedWith(await runCli([HOP1], vars), 6, /IMDS answered iam\/security-credentials\/ExampleRole with something that is not a JSON object$/);
    }),
};

/** Start `assume-role sandbox ARGS`, run `fn` with the variables it printed while it serves, then stop it. */
async function withLiveSandbox<T>(args: readonly string[], fn: (vars: Record<string, string>) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [BIN, "sandbox", ...args], { env: cleanEnv(), cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] });
  try {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    for await (const chunk of child.stdout) {
      stdout += chunk as string;
      if (/AWS_REGION=.*\n/.test(stdout)) break;
    }
    const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    return await fn({ ...vars, AWS_METADATA_SERVICE_TIMEOUT: "10" });
  } finally {
    child.kill("SIGTERM");
  }
}

/** `imds --json` parsed (exit 0, nothing on stderr). */
async function imdsJson(args: readonly string[], env: Record<string, string>): Promise<{ Warnings: Array<{ Code: string }>; [key: string]: any }> {
  const r = await runCli(["imds", "--json", ...args], env);
  succeeded(r);
  return JSON.parse(r.stdout);
}

/** Entries for the imds command's options and the sandbox flags that set up the instance states it reports. */
const IMDS_ENTRIES: Record<string, () => Promise<void>> = {
  "imds --format": () =>
    withSandbox(async (sb) => {
      const text = await runCli(["imds"], envOf(sb));
      succeeded(text);
      expect(text.stdout).toMatch(new RegExp(`^  role \\(listed\\) +ExampleRole$`, "m"));
      const json = await runCli(["imds", "-f", "json"], envOf(sb));
      succeeded(json);
      expect(JSON.parse(json.stdout)).toMatchObject({ InstanceId: INSTANCE, Role: "ExampleRole", Identity: { Arn: INSTANCE_SESSION } });
      refusedAfter(await runCli(["imds", "-f", "sh"], envOf(sb)), /option '-f, --format <format>' argument 'sh' is invalid\. Allowed choices are text, json\./);
    }),

  "imds --json": () =>
    withSandbox(async (sb) => {
      expect(await imdsJson([], envOf(sb))).toMatchObject({ Region: "us-east-1", InstanceProfile: { Name: "ExampleRole" }, Warnings: [] });
      refusedAfter(await runCli(["imds", "--json", "-f", "text"], envOf(sb)), /option '--json' cannot be used with option '-f, --format <format>'/);
    }),

  "imds --stale-after": () =>
    withLiveSandbox(["--imds-credentials-age", "45m"], async (vars) => {
      // Control: 45 minutes is under the default hour.
      expect((await imdsJson([], vars)).Warnings).toEqual([]);
      expect((await imdsJson(["--stale-after", "30m"], vars)).Warnings.map((w) => w.Code)).toEqual(["stale-credentials"]);
    }),

  "imds --verbose": () =>
    withSandbox(async (sb) => {
      const r = await runCli(["imds", "-v"], envOf(sb));
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^assume-role: imds: GET \/latest\/meta-data\/iam\/info -> 200 \(\d+ ms\)$/m);
      const quiet = await runCli(["imds"], envOf(sb));
      succeeded(quiet);
    }),

  "sandbox --imds-served-role": () =>
    withLiveSandbox(["--imds-served-role", "PreviousInstanceRole"], async (vars) => {
      const report = await imdsJson([], vars);
      expect([report.Role, report.Identity.Arn]).toEqual(["ExampleRole", `arn:aws:sts::${A}:assumed-role/PreviousInstanceRole/${INSTANCE}`]);
      expect(report.Warnings.map((w) => w.Code)).toEqual(["role-mismatch"]);
    }),

  "sandbox --imds-instance-profile": () =>
    withLiveSandbox(["--imds-instance-profile", "web-servers"], async (vars) => {
      const report = await imdsJson([], vars);
      expect([report.InstanceProfile.Arn, report.Role]).toEqual([`arn:aws:iam::${A}:instance-profile/web-servers`, "ExampleRole"]);
      expect(report.Warnings.map((w) => w.Code)).toEqual(["profile-name"]);
    }),

  "sandbox --imds-credentials-age": () =>
    withLiveSandbox(["--imds-credentials-age", "2h30m"], async (vars) => {
      const report = await imdsJson([], vars);
      expect(Math.abs(report.Credentials.AgeSeconds - 9000)).toBeLessThan(120);
      expect(report.Warnings.map((w) => w.Code)).toEqual(["stale-credentials"]);
    }),
};

/** The default command, whoami and serve: --refresh renews the cache entry instead of using it. */
const refreshEntry = (cmd: Exclude<Resolving, "exec">) => () =>
  withSandbox(async (sb) => {
    const env = { ...envOf(sb), XDG_CACHE_HOME: tempDir() };
    succeeded(await runAs(cmd, [HOP1], env));
    // Control: without --refresh this command's second run is a cache hit (no AssumeRole)...
    succeeded(await runAs(cmd, [HOP1], env));
    // ...with it, STS is asked again.
    const refreshed = await runAs(cmd, ["--refresh", HOP1], env);
    succeeded(refreshed);
    expect(sb.requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual([HOP1, HOP1]);
  });

const COMMANDS = [...RESOLVING, "unset", "sandbox", "imds", "completion"] as const;

/** Every entry, keyed "COMMAND --long-flag" (COMMAND "assume-role" for the default command). */
const MATRIX: Record<string, () => Promise<void>> = { ...OWN, ...SANDBOX_FAULTS, ...IMDS_ENTRIES };
for (const [flag, scenario] of Object.entries(SHARED)) for (const cmd of RESOLVING) MATRIX[`${cmd} ${flag}`] = () => scenario(cmd);
for (const cmd of ["assume-role", "whoami", "serve", "doctor", "console"] as const) MATRIX[`${cmd} --refresh`] = refreshEntry(cmd);
for (const cmd of COMMANDS) MATRIX[`${cmd} --help`] = helpEntry(cmd);

describe.concurrent("option matrix: each option's observable effect, through the built CLI", () => {
  for (const [key, entry] of Object.entries(MATRIX)) it(key, entry, 120_000);
});

/** The lines of a `Title:` section of commander's help. */
function section(help: string, title: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === "");
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe("the matrix covers what --help lists", () => {
  it("every option of every command's --help has an entry, and every entry an option", async () => {
    const root = await runCli(["--help"]);
    const commands = section(root.stdout, "Commands").flatMap((line) => /^  (\w[\w-]*)/.exec(line)?.[1] ?? []);
    expect(commands.length).toBeGreaterThan(0);
    const listed: string[] = [];
    for (const cmd of ["assume-role", ...commands]) {
      const help = cmd === "assume-role" ? root : await runCli([cmd, "--help"]);
      expect(help.code).toBe(0);
      for (const line of section(help.stdout, "Options")) {
        const flag = /^  (?:-\w, )?(--[\w-]+)/.exec(line)?.[1];
        if (flag !== undefined) listed.push(`${cmd} ${flag}`);
      }
    }
    console.log(`option matrix: ${listed.length} options listed by --help over ${commands.length + 1} commands`);
    expect(listed.filter((key) => !(key in MATRIX)), "options without a matrix entry").toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !listed.includes(key)), "matrix entries for options --help does not list").toEqual([]);
  });
});
