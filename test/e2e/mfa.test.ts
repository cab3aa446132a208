/**
 * MFA without a person at a terminal: --mfa-token, its shape check, and the no-terminal failure (cron, CI).
 * The prompt itself is driven through a real pseudo-terminal in mfa-terminal.test.ts.
 */
import { describe, expect, it } from "vitest";
import { bashEnvAfter, cleanEnv, runCli, shQuote } from "../helpers/cli.js";
import { runCliWithoutTerminal, runWithoutTerminal } from "../helpers/pty.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const sandbox = useSandbox();

/** The sandbox endpoints plus alice's long-term keys, for `--source env`. */
function aliceEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keys = sandbox().userKeys("alice");
  return { ...sandbox().env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, ...extra };
}

const assumeRequests = () => sandbox().requests.filter((r) => r.action === "AssumeRole");

describe("--mfa-token", () => {
  it("a valid code reaches STS with the serial, and the exported keys are an MfaRole session", async () => {
    const r = await runCli(["--source", "env", "--mfa-serial", SERIAL, "--mfa-token", "123456", MFA_ROLE], aliceEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const hops = assumeRequests();
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ status: 200, accessKeyId: sandbox().userKeys("alice").accessKeyId });
    expect(hops[0]!.params).toMatchObject({ RoleArn: MFA_ROLE, SerialNumber: SERIAL, TokenCode: "123456" });
    const vars = await bashEnvAfter(`eval ${shQuote(r.stdout)}`, cleanEnv(sandbox().env()));
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/MfaRole\//);
  });

  it("without MFA the role's trust policy refuses: exit 4, nothing on stdout", async () => {
    const r = await runCli(["--source", "env", MFA_ROLE], aliceEnv());
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(MFA_ROLE);
    const hops = assumeRequests();
    expect(hops.map((h) => [h.status, h.errorCode, h.params.SerialNumber, h.params.TokenCode])).toEqual([[403, "AccessDenied", undefined, undefined]]);
  });

  it("a well-formed but wrong code is sent once and refused by STS: exit 4", async () => {
    const r = await runCli(["--source", "env", "--mfa-serial", SERIAL, "--mfa-token", "654321", MFA_ROLE], aliceEnv());
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(assumeRequests().map((h) => [h.status, h.params.TokenCode])).toEqual([[403, "654321"]]);
  });

  it.each(["12345", "1234567", "12345a", " 123456", ""])("%j is refused (exit 2) before any source is resolved or STS is called", async (token) => {
    // Default source (auto) with a working sandbox IMDS: a late check would show up as IMDS traffic.
    const r = await runCli(["--mfa-serial", SERIAL, "--mfa-token", token, MFA_ROLE], sandbox().env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: --mfa-token: must be the 6 digits your MFA device shows\n {2}hint: /);
    expect(sandbox().requests).toEqual([]);
    expect(sandbox().counts.imds).toEqual({});
  });
});

describe("no terminal to ask on", () => {
  it("askTerminal answers undefined in a process without a controlling terminal", async () => {
    const script = `import(${JSON.stringify(new URL("../../dist/ui/ask-terminal.js", import.meta.url).href)})
      .then((m) => m.askTerminal("Question? ")).then((a) => process.stdout.write(String(a)))`;
    const r = await runWithoutTerminal(process.execPath, ["-e", script], cleanEnv());
    expect(r).toMatchObject({ code: 0, stdout: "undefined", stderr: "" });
  });

  it("cron (setsid, no token): exit 5 at once with the hint, nothing on stdout, no AssumeRole", async () => {
    const r = await runCliWithoutTerminal(["--source", "env", "--mfa-serial", SERIAL, MFA_ROLE], cleanEnv(aliceEnv()));
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `assume-role: MFA code needed for ${SERIAL} but there is no terminal to ask on\n` +
        `  hint: pass the code with --mfa-token CODE or a command that prints it with --mfa-process CMD (role ${MFA_ROLE} needs MFA device ${SERIAL})\n`,
    );
    expect(assumeRequests()).toEqual([]);
  });

  it("CI=true: exit 5 with the hint, nothing on stdout, no AssumeRole", async () => {
    // Also with a terminal: see mfa-terminal.test.ts.
    const r = await runCliWithoutTerminal(["--source", "env", "--mfa-serial", SERIAL, MFA_ROLE], cleanEnv(aliceEnv({ CI: "true" })));
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`assume-role: MFA code needed for ${SERIAL} and CI=true forbids prompting\n  hint: pass the code with --mfa-token CODE`);
    expect(assumeRequests()).toEqual([]);
  });
});
