/**
 * One MFA code for many roles (issue 10, aws-vault's model), through the built CLI against the sandbox: mfa_serial on
 * the profile holding alice's long-term keys opens a GetSessionToken session once; roles sourced from that profile
 * are then assumed with the session, so a later run for another role needs neither a code nor a terminal.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bashEnvAfter, cleanEnv, runCli, shQuote } from "../helpers/cli.js";
import { runCliWithoutTerminal } from "../helpers/pty.js";
import { identityOf, useSandbox } from "../helpers/sandbox.js";
import { EXAMPLE_ASSUMED, keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const sandbox = useSandbox();

/** alice's keys (credentials file) + mfa_serial (config), and two roles sourced from her: `mfa` (MfaRole) and `example`. */
function aliceProfiles(aliceExtra = "", roleExtra = ""): Record<string, string> {
  const config =
    `[profile alice]\nmfa_serial = ${SERIAL}\n${aliceExtra}` +
    `[profile mfa]\nrole_arn = ${MFA_ROLE}\nsource_profile = alice\n${roleExtra}` +
    `[profile example]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = alice\n`;
  return profileFiles(config, keysSection("alice", sandbox().userKeys("alice")));
}

/** One environment per scenario: the sandbox, the profile files, a cache directory shared by its runs. */
function scenario(aliceExtra = "", roleExtra = "") {
  const cache = mkdtempSync(join(tmpdir(), "assume-role-mfa-cache-"));
  const env = { ...sandbox().env(), ...aliceProfiles(aliceExtra, roleExtra), XDG_CACHE_HOME: cache };
  return { env, dir: join(cache, "assume-role") };
}

const calls = (action: string) => sandbox().requests.filter((r) => r.action === action);

/** The cache entry of the MFA session (the one with kind "mfa-session"), with its path. */
function sessionEntry(dir: string): { path: string; entry: Record<string, unknown> } {
  const found = readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .map((n) => ({ path: join(dir, n), entry: JSON.parse(readFileSync(join(dir, n), "utf8")) as Record<string, unknown> }))
    .filter((e) => e.entry.kind === "mfa-session");
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("an MFA session shared by the roles of one source profile", () => {
  it("first run: GetSessionToken once with the code; AssumeRole signed by the session, without MFA fields; the trust policy's MFA condition passes", async () => {
    const { env, dir } = scenario();
    const r = await runCli(["--profile", "mfa", "--mfa-token", "123456"], env);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const [session] = calls("GetSessionToken");
    expect(calls("GetSessionToken")).toHaveLength(1);
    expect(session).toMatchObject({ status: 200, accessKeyId: sandbox().userKeys("alice").accessKeyId });
    expect(session!.params).toEqual({ DurationSeconds: "43200", SerialNumber: SERIAL, TokenCode: "123456" });
    const [hop] = calls("AssumeRole");
    expect(calls("AssumeRole")).toHaveLength(1);
    expect(hop!.accessKeyId).toMatch(/^ASIA/);
    expect(hop!.callerArn).toBe("arn:aws:iam::123456789012:user/alice");
    expect(hop!.params.RoleArn).toBe(MFA_ROLE);
    expect(hop!.params).not.toHaveProperty("SerialNumber");
    expect(hop!.params).not.toHaveProperty("TokenCode");
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv(sandbox().env()));
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/MfaRole\//);
    // The session is on disk like every entry: 0600, its serial, never the code.
    const { path, entry } = sessionEntry(dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(entry.serial).toBe(SERIAL);
    expect(Object.keys(entry).sort()).toEqual(["accessKeyId", "durationSeconds", "expiration", "key", "kind", "region", "secretAccessKey", "serial", "sessionToken", "version"]);
    expect(JSON.stringify(entry.key)).not.toMatch(/TokenCode|"123456"/);
  });

  it("a later run for ANOTHER role, with no terminal and no code: no GetSessionToken, AssumeRole signed by the same session", async () => {
    const { env } = scenario();
    const first = await runCli(["--profile", "mfa", "--mfa-token", "123456"], env);
    expect(first.code).toBe(0);
    const sessionKey = calls("AssumeRole")[0]!.accessKeyId;
    sandbox().resetCounts();
    const r = await runCliWithoutTerminal(["--profile", "example"], cleanEnv(env));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(calls("GetSessionToken")).toEqual([]);
    expect(calls("AssumeRole").map((h) => [h.params.RoleArn, h.accessKeyId, h.status])).toEqual([[EXAMPLE_ASSUMED, sessionKey, 200]]);
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv(sandbox().env()));
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::123456789012:assumed-role\/ExampleAssumedRole\//);
  });

  it("the first run without a code and without a terminal: exit 5, nothing on stdout, no STS call", async () => {
    const { env } = scenario();
    const r = await runCliWithoutTerminal(["--profile", "mfa"], cleanEnv(env));
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `assume-role: MFA code needed for ${SERIAL} but there is no terminal to ask on\n` +
        `  hint: pass the code with --mfa-token CODE or a command that prints it with --mfa-process CMD (the MFA session of profile alice needs MFA device ${SERIAL})\n`,
    );
    expect(sandbox().requests).toEqual([]);
  });

  it("a refused code: exit 4 naming the MFA session of profile alice (not a role); no AssumeRole", async () => {
    const { env } = scenario();
    const r = await runCli(["--profile", "mfa", "--mfa-token", "000000"], env);
    expect([r.code, r.stdout]).toEqual([4, ""]);
    expect(r.stderr.split("\n")[0]).toBe("assume-role: access denied: the MFA code for the MFA session of profile alice was refused");
    expect(sandbox().requests.map((q) => [q.action, q.status])).toEqual([["GetSessionToken", 403]]);
  });

  it("an expired session asks again: exit 5 without a terminal, a new GetSessionToken with a code", async () => {
    const { env, dir } = scenario();
    expect((await runCli(["--profile", "mfa", "--mfa-token", "123456"], env)).code).toBe(0);
    const { path, entry } = sessionEntry(dir);
    writeFileSync(path, JSON.stringify({ ...entry, expiration: new Date(Date.now() - 60_000).toISOString() }));
    sandbox().resetCounts();
    const noTerminal = await runCliWithoutTerminal(["--profile", "example"], cleanEnv(env));
    expect([noTerminal.code, noTerminal.stdout]).toEqual([5, ""]);
    expect(sandbox().requests).toEqual([]);
    const again = await runCli(["--profile", "example", "--mfa-token", "123456"], env);
    expect([again.code, again.stderr]).toEqual([0, ""]);
    expect(calls("GetSessionToken").map((c) => c.params.TokenCode)).toEqual(["123456"]);
  });

  it("--mfa-session-duration sets DurationSeconds; the role after the session is capped at 1 h like a chained one, with a warning naming --duration", async () => {
    const { env } = scenario();
    const r = await runCli(["--profile", "example", "--mfa-token", "123456", "--mfa-session-duration", "36h", "--duration", "8h"], env);
    expect([r.code, r.stderr]).toEqual([0, `assume-role: warning: --duration 8h lowered to 1h for ${EXAMPLE_ASSUMED}: AWS caps sessions assumed with an MFA session (GetSessionToken) at 1 hour\n`]);
    expect(calls("GetSessionToken")[0]!.params.DurationSeconds).toBe("129600");
    expect(calls("AssumeRole").map((c) => [c.params.DurationSeconds, c.status])).toEqual([["3600", 200]]);
  });

  it("a profile's duration_seconds above 1 h after the session: --dry-run says the hop is chained by the MFA session; the run warns naming the profile", async () => {
    const { env } = scenario("", "duration_seconds = 7200\n");
    const dry = await runCli(["--profile", "mfa", "--dry-run"], env);
    expect([dry.code, dry.stderr]).toEqual([0, ""]);
    expect(dry.stdout).toContain("  duration: 1h (asked 2h; capped at 1h, chained: its caller is the MFA session)\n");
    const r = await runCli(["--profile", "mfa", "--mfa-token", "123456"], env);
    expect([r.code, r.stderr]).toEqual([0, `assume-role: warning: duration_seconds of profile mfa (2h) lowered to 1h for ${MFA_ROLE}: AWS caps sessions assumed with an MFA session (GetSessionToken) at 1 hour\n`]);
    expect(calls("AssumeRole").map((c) => [c.params.DurationSeconds, c.status])).toEqual([["3600", 200]]);
  });

  it("a role profile with the same mfa_serial uses the session (aws-vault's precedence): one code, no MFA on AssumeRole", async () => {
    const { env } = scenario("", `mfa_serial = ${SERIAL}\n`);
    const r = await runCli(["--profile", "mfa", "--mfa-token", "123456"], env);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(calls("GetSessionToken")).toHaveLength(1);
    expect(calls("AssumeRole")[0]!.params).not.toHaveProperty("SerialNumber");
  });

  it("--profile alice alone: the MFA session itself is the result (it acts as alice)", async () => {
    const { env } = scenario();
    const r = await runCli(["--profile", "alice", "--mfa-token", "123456", "-f", "json"], env);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const out = JSON.parse(r.stdout) as { AccessKeyId: string; SessionToken: string };
    expect(out.AccessKeyId).toMatch(/^ASIA/);
    expect(out.SessionToken).toBeTruthy();
    expect(calls("GetSessionToken")).toHaveLength(1);
  });

  it("a profile with a session token and mfa_serial is refused before any request: exit 8", async () => {
    const keys = sandbox().userKeys("alice");
    const files = profileFiles(
      `[profile alice]\nmfa_serial = ${SERIAL}\n[profile mfa]\nrole_arn = ${MFA_ROLE}\nsource_profile = alice\n`,
      `${keysSection("alice", keys)}aws_session_token = some-token\n`,
    );
    const r = await runCli(["--profile", "mfa", "--mfa-token", "123456"], { ...sandbox().env(), ...files });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toMatch(/^assume-role: profile alice: mfa_serial asks for an MFA session \(GetSessionToken\), which needs long-term keys, but the profile holds a session token\n {2}hint: /);
    expect(sandbox().requests).toEqual([]);
  });
});

describe("mfa_process and --mfa-process", () => {
  it("the profile's mfa_process supplies the code: no terminal needed", async () => {
    const { env } = scenario("mfa_process = printf ' 123456\\n'\n");
    const r = await runCliWithoutTerminal(["--profile", "mfa"], cleanEnv(env));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(calls("GetSessionToken").map((c) => c.params.TokenCode)).toEqual(["123456"]);
  });

  it("--mfa-process wins over the profile's mfa_process, and also serves AssumeRole's MFA (--mfa-serial)", async () => {
    const { env } = scenario("mfa_process = exit 9\n");
    const r = await runCliWithoutTerminal(["--profile", "mfa", "--mfa-process", "echo 123456"], cleanEnv(env));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const keys = sandbox().userKeys("alice");
    sandbox().resetCounts();
    const direct = await runCliWithoutTerminal(
      ["--source", "env", "--mfa-serial", SERIAL, "--mfa-process", "echo 123456", MFA_ROLE],
      cleanEnv({ ...sandbox().env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }),
    );
    expect([direct.code, direct.stderr]).toEqual([0, ""]);
    expect(calls("AssumeRole")[0]!.params).toMatchObject({ SerialNumber: SERIAL, TokenCode: "123456" });
  });

  it("a command that fails: exit 8 naming where it is set and its status, never its text; nothing on stdout, no request", async () => {
    const { env } = scenario("mfa_process = echo 123456 SEED-IN-COMMAND >/dev/null; exit 3\n");
    const r = await runCli(["--profile", "mfa"], env);
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(
      `assume-role: the command of mfa_process of profile alice (MFA code for ${SERIAL}) exited with status 3: no MFA code\n` +
        "  hint: run the command yourself: it must print the current 6-digit code on stdout and exit 0\n",
    );
    expect(sandbox().requests).toEqual([]);
  });

  it("a command the shell cannot find: exit 8 (status 127), naming --mfa-process", async () => {
    const { env } = scenario();
    const r = await runCli(["--profile", "mfa", "--mfa-process", "/nonexistent/otp-tool"], env);
    expect([r.code, r.stdout]).toEqual([8, ""]);
    // The shell's own "not found" line comes first: the command's stderr is the user's.
    expect(r.stderr).toContain(`assume-role: the command of --mfa-process (MFA code for ${SERIAL}) exited with status 127: no MFA code\n`);
    expect(sandbox().requests).toEqual([]);
  });

  it.each([
    ["printf 12345", "printed 5 characters that are not 6 digits"],
    ["printf hunter%s 2-secret", "printed 14 characters that are not 6 digits"],
    ["true", "printed nothing"],
  ])("%s: exit 8, its output never shown", async (command, what) => {
    const { env } = scenario(`mfa_process = ${command}\n`);
    const r = await runCli(["--profile", "mfa"], env);
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr.split("\n")[0]).toBe(`assume-role: the command of mfa_process of profile alice (MFA code for ${SERIAL}) ${what}: expected the 6-digit code on stdout (not shown here)`);
    expect(r.stderr).not.toContain("hunter2-secret");
    expect(sandbox().requests).toEqual([]);
  });

  describe("the command's text (it may hold a TOTP seed) never reaches stdout or stderr", () => {
    const SEED = "JBSWY3DPEHPK3PXPSEED";
    const cases: Array<[string, string]> = [
      ["fails", `oathtool --totp -b ${SEED} 2>/dev/null; exit 1`],
      ["prints no code", `printf ${SEED}`],
      ["prints nothing", `: ${SEED}`],
    ];
    it.each(cases)("mfa_process that %s", async (_, command) => {
      const { env } = scenario(`mfa_process = ${command}\n`);
      const r = await runCli(["--profile", "mfa"], env);
      expect(r.code).toBe(8);
      expect(r.stdout + r.stderr).not.toContain(SEED);
      expect(r.stderr).toContain("mfa_process of profile alice");
    });

    it.each(cases)("--mfa-process that %s (also with --verbose)", async (_, command) => {
      const { env } = scenario();
      const r = await runCli(["--profile", "mfa", "--verbose", "--mfa-process", command], env);
      expect(r.code).toBe(8);
      expect(r.stdout + r.stderr).not.toContain(SEED);
      expect(r.stderr).toContain("the command of --mfa-process");
    });

    it("--dry-run names where the command is set: the profile's mfa_process, or --mfa-process", async () => {
      const { env } = scenario(`mfa_process = oathtool --totp -b ${SEED}\n`, `mfa_serial = arn:aws:iam::123456789012:mfa/other\n`);
      const fromProfile = await runCli(["--profile", "mfa", "--dry-run"], env);
      expect([fromProfile.code, fromProfile.stderr]).toEqual([0, ""]);
      expect(fromProfile.stdout).not.toContain(SEED);
      expect(fromProfile.stdout).toContain("  code: printed by the command of mfa_process of profile alice\n");
      const fromFlag = await runCli(["--profile", "mfa", "--dry-run", "--mfa-process", `oathtool --totp -b ${SEED}`], env);
      expect([fromFlag.code, fromFlag.stderr]).toEqual([0, ""]);
      expect(fromFlag.stdout).not.toContain(SEED);
      expect(fromFlag.stdout).toContain("  code: printed by the command of --mfa-process\n");
      expect(fromFlag.stdout).toContain("(code printed by the command of --mfa-process)");
      expect(sandbox().requests).toEqual([]);
    });
  });

  it("mfa_process without mfa_serial is refused: exit 8", async () => {
    const files = profileFiles(`[profile a]\nrole_arn = ${MFA_ROLE}\nsource_profile = b\nmfa_process = echo 123456\n`, keysSection("b", sandbox().userKeys("alice")));
    const r = await runCli(["--profile", "a"], { ...sandbox().env(), ...files });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toMatch(/^assume-role: profile a: mfa_process has no effect without mfa_serial/);
  });
});
