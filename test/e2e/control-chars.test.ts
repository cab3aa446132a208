/**
 * Control characters in user input (a ROLE, AWS_REGION, a config value, a flag's argument) reach
 * stderr inside messages. Through the built CLI: the message stays one line (plus its hint line),
 * shows them as visible escapes, and contains no byte that could drive a terminal.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { EXAMPLE_ASSUMED, profileFiles } from "../fixtures/profiles/profile-files.js";

const sandbox = useSandbox();

/** C0 controls except the line feed that ends each line, DEL, C1 controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectSafeLines(stderr: string, count: number): string[] {
  expect(stderr.endsWith("\n")).toBe(true);
  const lines = stderr.slice(0, -1).split("\n");
  expect(lines).toHaveLength(count);
  expect(stderr).not.toMatch(RAW_CONTROL);
  return lines;
}

describe("control characters in messages are escaped", () => {
  it("a newline and a DEL in a ROLE: exit 2, one line showing \\n and \\x7f", async () => {
    const r = await runCli(["--source", "env", "arn:aws:iam::123456789012:role/X\nassume-role: all good\x7f"]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    const [line] = expectSafeLines(r.stderr, 1);
    expect(line).toBe("assume-role: ROLE 'arn:aws:iam::123456789012:role/X\\nassume-role: all good\\x7f' is not a role ARN: expected arn:PARTITION:iam::ACCOUNT(12 digits):role/NAME");
  });

  it("a newline and a carriage return in AWS_REGION: exit 8, one line", async () => {
    const r = await runCli(["--source", "env", "--dry-run", EXAMPLE_ASSUMED], { AWS_REGION: "us-east-1\r\nexport X=1" });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(expectSafeLines(r.stderr, 1)).toEqual(["assume-role: AWS_REGION 'us-east-1\\r\\nexport X=1': not a region name like us-east-1"]);
  });

  it("an ESC sequence (OSC window title + BEL) in a config value: exit 8, shown as \\x1b ... \\x07", async () => {
    const files = profileFiles("[profile p]\nregion = eu\x1b]0;owned\x07\ncredential_source = Ec2InstanceMetadata\nrole_arn = " + EXAMPLE_ASSUMED + "\n");
    const r = await runCli(["--profile", "p", "--dry-run"], files);
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(expectSafeLines(r.stderr, 1)).toEqual(["assume-role: region of profile p 'eu\\x1b]0;owned\\x07': not a region name like us-east-1"]);
  });

  it("a NUL and a C1 CSI (U+009B) in a config value: both escaped, in the message and in its hint", async () => {
    const files = profileFiles(`[profile a]\nrole_arn = ${EXAMPLE_ASSUMED}\nsource_profile = b\x00\u009b2J\n`);
    const r = await runCli(["--profile", "a", "--dry-run"], files);
    expect([r.code, r.stdout]).toEqual([8, ""]);
    const [message, hint] = expectSafeLines(r.stderr, 2);
    expect(message).toBe("assume-role: profile a: could not find source profile b\\x00\\u009b2J referenced from a");
    expect(hint).toMatch(/^ {2}hint: define \[profile b\\x00\\u009b2J\] in /);
  });

  it("a flag's argument that commander refuses: one line, escaped", async () => {
    const r = await runCli(["--format", "sh\x1b[2J\nx"]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    const [line] = expectSafeLines(r.stderr, 1);
    expect(line).toMatch(/^assume-role: option '-f, --format <format>' argument 'sh\\x1b\[2J\\nx' is invalid\./);
  });

  it("a warning quoting an environment value (logger): escaped, and the run succeeds", async () => {
    const r = await runCli([EXAMPLE_ASSUMED, "--format", "json"], { ...sandbox().env(), ASSUME_ROLE_CACHE_MARGIN: "\x1b[2J\x1b[Hten" });
    expect(r.code).toBe(0);
    const [line] = expectSafeLines(r.stderr, 1);
    expect(line).toBe("assume-role: warning: ASSUME_ROLE_CACHE_MARGIN='\\x1b[2J\\x1b[Hten' is not a number of seconds or a span like 10m; using 10m");
    expect(JSON.parse(r.stdout).AccessKeyId).toMatch(/^ASIA/);
  });
});
