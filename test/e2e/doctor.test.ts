/**
 * `assume-role doctor` through the built CLI against the sandbox (which serves IAM too): for each side of seed
 * 003's table, the first failing check, its exit code and the statements it prints; then the strong test: the
 * printed statements put into the world make the same chain work.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseWorld, type Sandbox } from "../../src/sandbox/index.js";
import { A, DEV, DEV_KEYS, DEV_MFA, MIDDLE, TARGET, doctorWorld, doctorWorldJson, type DoctorWorldOptions } from "../fixtures/worlds/doctor-world.js";
import { cleanEnv, runCli, type RunResult } from "../helpers/cli.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

interface Advice {
  side: "identity" | "trust";
  attachTo: string;
  verdict: string;
  why: string;
  statement: Record<string, unknown>;
}
interface CheckJson {
  name: string;
  status: string;
  summary: string;
  details?: string[];
  remedy?: string[];
  statements?: Advice[];
}
interface Report {
  ok: boolean;
  exitCode: number;
  checks: CheckJson[];
}

const fresh = useFreshSandboxes();

const envOf = (sb: Sandbox, extra: Record<string, string> = {}) => ({ ...sb.env(), ...DEV_KEYS, AWS_METADATA_SERVICE_TIMEOUT: "10", ...extra });

async function doctor(sb: Sandbox, args: string[], extra: Record<string, string> = {}): Promise<{ r: RunResult; report: Report }> {
  const r = await runCli(["doctor", "--json", "--no-cache", ...args], envOf(sb, extra));
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout) as Report;
  expect(r.code).toBe(report.exitCode);
  return { r, report };
}

const failing = (report: Report) => report.checks.find((c) => c.status === "fail");
const side = (check: CheckJson | undefined, which: "identity" | "trust") => check?.statements?.find((s) => s.side === which);

/** The world with each printed statement added where it says it belongs. */
function applied(o: DoctorWorldOptions, check: CheckJson | undefined) {
  const json = doctorWorldJson(o);
  const account = json.accounts[A];
  for (const advice of check?.statements ?? []) {
    if (advice.side === "trust") {
      expect(advice.attachTo).toBe(TARGET);
      account.roles.Target.trustPolicy.Statement.push(advice.statement);
    } else {
      const holder = advice.attachTo === DEV ? account.users.dev : advice.attachTo === MIDDLE ? account.roles.Middle : undefined;
      expect(holder, `identity statement for ${advice.attachTo}`).toBeDefined();
      holder.permissionPolicy.Statement.push(advice.statement);
    }
  }
  return parseWorld(json, "applied");
}

describe("doctor: AccessDenied, which side denies, and the statements that fix it", () => {
  const cases: { title: string; o: DoctorWorldOptions; identity: string; trust: string; conclusion: RegExp }[] = [
    { title: "the identity side denies", o: { identityAllows: false, trustAllows: true, readsIam: true }, identity: "denies", trust: "allows", conclusion: /^the identity policy denies/ },
    { title: "the trust side denies", o: { identityAllows: true, trustAllows: false, readsIam: true }, identity: "allows", trust: "denies", conclusion: /^the trust policy denies/ },
    { title: "both sides deny", o: { identityAllows: false, trustAllows: false, readsIam: true }, identity: "denies", trust: "denies", conclusion: /^both sides deny/ },
    { title: "the caller may not read IAM", o: { identityAllows: false, trustAllows: true, readsIam: false }, identity: "unknown", trust: "unknown", conclusion: /^cannot tell which side denies/ },
  ];
  for (const c of cases) {
    it(`${c.title}: exit 4, both statements with the real ARNs; applying them makes the chain work`, async () => {
      const sb = await fresh({ world: doctorWorld(c.o) });
      const { r, report } = await doctor(sb, ["--source", "env", TARGET]);
      expect(r.code).toBe(4);
      const fail = failing(report)!;
      expect(fail.name).toBe("hop 1");
      expect(fail.summary).toMatch(new RegExp(`^access denied: ${DEV} may not assume ${TARGET}`));
      expect([side(fail, "identity")?.verdict, side(fail, "trust")?.verdict]).toEqual([c.identity, c.trust]);
      expect(fail.details?.at(-1)).toMatch(c.conclusion);
      if (!c.o.readsIam) expect(side(fail, "identity")?.why).toContain(`the caller may not iam:SimulatePrincipalPolicy on ${DEV}`);
      expect(side(fail, "identity")?.statement).toEqual({ Effect: "Allow", Action: "sts:AssumeRole", Resource: TARGET });
      expect(side(fail, "trust")?.statement).toEqual({ Effect: "Allow", Principal: { AWS: DEV }, Action: "sts:AssumeRole" });
      // The last check shown is the failure: doctor stops there.
      expect(report.checks.at(-1)).toBe(fail);

      const fixed = await fresh({ world: applied(c.o, fail) });
      const again = await doctor(fixed, ["--source", "env", TARGET]);
      expect(again.r.code).toBe(0);
      expect(again.report.checks.at(-1)?.summary).toMatch(new RegExp(`^the chain works: arn:aws:sts::${A}:assumed-role/Target/`));
      expect(again.report.checks.map((k) => [k.name, k.status])).toEqual([
        ["environment", "ok"],
        ["source", "ok"],
        ["clock", "ok"],
        ["hop 1", "ok"],
        ["result", "ok"],
      ]);
    }, 60_000);
  }

  it("a role-session caller: the trust statement names its ROLE ARN, not the session ARN, and works once applied", async () => {
    const o: DoctorWorldOptions = { caller: "Middle", identityAllows: true, trustAllows: false, readsIam: true };
    const sb = await fresh({ world: doctorWorld(o) });
    const { r, report } = await doctor(sb, ["--source", "env", "Middle", "Target"]);
    expect(r.code).toBe(4);
    const fail = failing(report)!;
    expect(fail.name).toBe("hop 2");
    expect(fail.summary).toContain(`arn:aws:sts::${A}:assumed-role/Middle/`);
    expect(side(fail, "trust")?.statement.Principal).toEqual({ AWS: MIDDLE });
    expect([side(fail, "identity")?.verdict, side(fail, "trust")?.verdict]).toEqual(["allows", "denies"]);
    const fixed = await fresh({ world: applied(o, fail) });
    expect((await doctor(fixed, ["--source", "env", "Middle", "Target"])).r.code).toBe(0);
  }, 60_000);

  it("ExternalId in use: the trust statement carries the sts:ExternalId condition with the value sent", async () => {
    const o: DoctorWorldOptions = { identityAllows: true, trustAllows: true, readsIam: true, trustCondition: { StringEquals: { "sts:ExternalId": "expected-id" } } };
    const sb = await fresh({ world: doctorWorld(o) });
    const { r, report } = await doctor(sb, ["--source", "env", "--external-id", "sent-id", TARGET]);
    expect(r.code).toBe(4);
    const fail = failing(report)!;
    expect([side(fail, "identity")?.verdict, side(fail, "trust")?.verdict]).toEqual(["allows", "denies"]);
    expect(side(fail, "trust")?.why).toContain("sts:ExternalId");
    expect(side(fail, "trust")?.statement).toEqual({
      Effect: "Allow",
      Principal: { AWS: DEV },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "sent-id" } },
    });
    const fixed = await fresh({ world: applied(o, fail) });
    expect((await doctor(fixed, ["--source", "env", "--external-id", "sent-id", TARGET])).r.code).toBe(0);
  }, 60_000);

  it("MFA in use: the trust statement requires aws:MultiFactorAuthPresent; a trust policy that wants MFA denies a hop without it", async () => {
    const o: DoctorWorldOptions = { identityAllows: true, trustAllows: false, readsIam: true };
    const sb = await fresh({ world: doctorWorld(o) });
    const mfa = ["--source", "env", "--mfa-serial", DEV_MFA, "--mfa-token", "654321", TARGET];
    const { report } = await doctor(sb, mfa);
    const fail = failing(report)!;
    expect(side(fail, "trust")?.statement.Condition).toEqual({ Bool: { "aws:MultiFactorAuthPresent": "true" } });
    const fixed = await fresh({ world: applied(o, fail) });
    expect((await doctor(fixed, mfa)).r.code).toBe(0);
    // The fixed trust policy wants MFA: without it, the trust side denies (and says under which keys).
    const without = await doctor(fixed, ["--source", "env", TARGET]);
    expect(without.r.code).toBe(4);
    expect(side(failing(without.report), "trust")?.verdict).toBe("denies");
    // The code never reaches the output.
    expect(JSON.stringify(report)).not.toContain("654321");
  }, 60_000);
});

describe("doctor: the other checks", () => {
  it("duration over the role's maximum: the hop fails on duration, naming the maximum IAM reports (exit 8)", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: true, targetMaxSession: 3600 }) });
    const { r, report } = await doctor(sb, ["--source", "env", "-d", "2h", TARGET]);
    expect(r.code).toBe(8);
    const fail = failing(report)!;
    expect(fail.summary).toBe(`duration: 7200 s refused for ${TARGET}: over the role's MaxSessionDuration, 3600 s`);
    expect(fail.remedy).toEqual(["ask for less: --duration 3600", "or raise the role's maximum (up to 43200 s): aws iam update-role --role-name Target --max-session-duration 7200"]);
  }, 60_000);

  it("duration over the chained cap: the plan lowers it, and doctor says so as a warning", async () => {
    const sb = await fresh({ world: doctorWorld({ caller: "Middle", identityAllows: true, trustAllows: true, readsIam: false }) });
    const r = await runCli(["doctor", "--json", "--no-cache", "-q", "--source", "env", "-d", "2h", "Middle", "Target"], envOf(sb));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks.find((c) => c.name === "duration")).toMatchObject({ status: "warn", summary: expect.stringMatching(/lowered to 1h for Target/) });
    expect(sb.requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.DurationSeconds)).toEqual(["7200", "3600"]);
  }, 60_000);

  it("clock skew: STS's Date header 30 min ahead of this machine fails the clock check (exit 6), naming both clocks", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: false }), now: () => new Date(Date.now() + 30 * 60_000) });
    const { r, report } = await doctor(sb, ["--source", "env", TARGET]);
    expect(r.code).toBe(6);
    expect(failing(report)).toMatchObject({ name: "clock", summary: expect.stringMatching(/^this machine's clock is 30 min behind STS's/) });
    expect(failing(report)?.remedy?.[0]).toMatch(/NTP|ntp/);
  }, 60_000);

  it("a source that fails: no credentials anywhere is the source check (exit 3)", async () => {
    const r = await runCli(["doctor", "--json", TARGET], { AWS_METADATA_SERVICE_TIMEOUT: "1", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "1" });
    const report = JSON.parse(r.stdout) as Report;
    expect([r.code, report.exitCode]).toEqual([3, 3]);
    expect(failing(report)?.name).toBe("source");
  }, 60_000);

  it("a profile that does not resolve is a configuration finding on stdout (exit 8), not a crash", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: false }) });
    const home = cleanEnv().HOME!;
    const config = join(home, "config");
    writeFileSync(config, "[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/Target\nsource_profile = nowhere\n", { mode: 0o600 });
    const { r, report } = await doctor(sb, ["--profile", "broken"], { AWS_CONFIG_FILE: config });
    expect(r.code).toBe(8);
    expect(failing(report)).toMatchObject({ name: "configuration", summary: expect.stringContaining("nowhere") });
    expect(sb.requests).toEqual([]);
  }, 60_000);

  it("expired exported credentials fail the environment check at once (exit 3), before any request", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: false }) });
    const extra = { AWS_CREDENTIAL_EXPIRATION: "2020-01-01T00:00:00Z", ASSUME_ROLE_ARN: TARGET, ASSUME_ROLE_ACCESS_KEY_ID: DEV_KEYS.AWS_ACCESS_KEY_ID };
    const { r, report } = await doctor(sb, [TARGET], extra);
    expect(r.code).toBe(3);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: "environment", status: "fail", summary: expect.stringContaining(`expired at 2020-01-01T00:00:00Z (exported by assume-role for ${TARGET})`) });
    expect(sb.requests).toEqual([]);
  }, 60_000);

  it("AWS_PROFILE beside keys and a world-readable credentials file are warnings; the chain is still checked", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: true, trustAllows: true, readsIam: false }) });
    const home = cleanEnv().HOME!;
    const credentials = join(home, "credentials");
    writeFileSync(credentials, "[other]\naws_access_key_id = AKIAOTHEREXAMPLE0001\naws_secret_access_key = x\n");
    chmodSync(credentials, 0o644);
    const config = join(home, "config");
    writeFileSync(config, "[profile other]\nregion = us-east-1\n", { mode: 0o600 });
    const { r, report } = await doctor(sb, ["--source", "env", TARGET], { AWS_PROFILE: "other", AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });
    expect(r.code).toBe(0);
    const warnings = report.checks.filter((c) => c.status === "warn");
    expect(warnings.map((w) => w.summary)).toEqual([
      "AWS_PROFILE=other is set beside AWS_ACCESS_KEY_ID: the AWS CLI and botocore use the keys, the JS SDK the profile",
      `${credentials} is open to every user (mode 0644); it may hold keys`,
    ]);
    expect(warnings[1]?.remedy).toEqual([`chmod 600 ${credentials}`]);
    expect(report.checks.at(-1)).toMatchObject({ name: "result", status: "ok" });
  }, 60_000);

  it("text output: one line per check, the statements as JSON that parses, no escape codes when piped", async () => {
    const sb = await fresh({ world: doctorWorld({ identityAllows: false, trustAllows: false, readsIam: true }) });
    const r = await runCli(["doctor", "--no-cache", "--source", "env", TARGET], envOf(sb));
    expect([r.code, r.stderr]).toEqual([4, ""]);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^(ok|warn|FAIL|skip) /.test(l)).map((l) => l.split(":")[0])).toEqual(["ok    environment", "ok    source", "ok    clock", "FAIL  hop 1"]);
    // Each statement block: from a line that is `{` to the `}` at the same indent.
    const blocks: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s+)\{$/.exec(lines[i]!);
      if (!open) continue;
      const end = lines.indexOf(`${open[1]}}`, i);
      blocks.push(JSON.parse(lines.slice(i, end + 1).join("\n")));
      i = end;
    }
    expect(blocks).toEqual([
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: TARGET },
      { Effect: "Allow", Principal: { AWS: DEV }, Action: "sts:AssumeRole" },
    ]);
    expect(r.stdout).toMatch(/\ndoctor: stopped at the first failure \(exit 4\)\n$/);
  }, 60_000);
});

describe("doctor: the MFA session (mfa_serial on the keys' profile) is a step of its own", () => {
  const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
  const ROLE = "arn:aws:iam::222222222222:role/MfaRole";
  const filesFor = (sb: Sandbox) =>
    profileFiles(`[profile alice]\nmfa_serial = ${SERIAL}\n[profile mfa]\nrole_arn = ${ROLE}\nsource_profile = alice\n`, keysSection("alice", sb.userKeys("alice")));

  it("a refused code: the check 'mfa session of profile alice' fails (exit 4) naming that session, and no hop is reported", async () => {
    const sb = await fresh();
    const r = await runCli(["doctor", "--json", "--profile", "mfa", "--mfa-token", "000000", "--no-cache"], { ...sb.env(), ...filesFor(sb) });
    expect([r.code, r.stderr]).toEqual([4, ""]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks.map((c) => [c.name, c.status]).slice(-3)).toEqual([
      ["source", "ok"],
      ["clock", "ok"],
      ["mfa session of profile alice", "fail"],
    ]);
    expect(report.checks.map((c) => c.name)).not.toContain("hop 1");
    expect(failing(report)).toMatchObject({ name: "mfa session of profile alice", summary: "access denied: the MFA code for the MFA session of profile alice was refused" });
    expect(sb.requests.map((q) => [q.action, q.status])).toEqual([["GetSessionToken", 403]]);
    // The text report says the same, one line per check.
    const text = await runCli(["doctor", "--profile", "mfa", "--mfa-token", "000000", "--no-cache"], { ...sb.env(), ...filesFor(sb) });
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/^FAIL {2}mfa session of profile alice: access denied: the MFA code for the MFA session of profile alice was refused$/m);
    expect(text.stdout).not.toMatch(/hop 1/);
  });

  it("a good code: 'mfa session of profile alice' is ok with its serial, then hop 1 and the result", async () => {
    const sb = await fresh();
    const r = await runCli(["doctor", "--json", "--profile", "mfa", "--mfa-token", "123456", "--no-cache"], { ...sb.env(), ...filesFor(sb) });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const report = JSON.parse(r.stdout) as Report;
    const names = report.checks.map((c) => [c.name, c.status]);
    expect(names.slice(-4)).toEqual([["clock", "ok"], ["mfa session of profile alice", "ok"], ["hop 1", "ok"], ["result", "ok"]]);
    expect(report.checks.find((c) => c.name === "mfa session of profile alice")!.summary).toMatch(new RegExp(`^GetSessionToken with ${SERIAL}, expires `));
  });
});
