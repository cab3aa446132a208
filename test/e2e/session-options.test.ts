/**
 * Session tags, source identity and session policies through the built CLI: bad values are refused before
 * any STS call, --dry-run shows what each hop will send, a missing permission is named, and the cache never
 * hands a session obtained without them to a run that asks for them.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const A = "123456789012";
const HOP1 = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const isRoot = process.getuid?.() === 0;

const dir = mkdtempSync(join(tmpdir(), "assume-role-session-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const POLICY = file("policy.json", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}\n');

describe("bad session values and conflicting flags: exit 2, one line naming the input, nothing on stdout, no STS call", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.close();
  });

  const fifo = join(dir, "fifo");
  const subdir = join(dir, "a-directory");
  const unreadable = file("unreadable.json", "{}");
  beforeAll(() => {
    execFileSync("mkfifo", [fifo]);
    mkdirSync(subdir);
    chmodSync(unreadable, 0o000);
  });

  const cases: Array<[string, string[], RegExp]> = [
    ["the issue's reproduction", ["--dry-run", "--source", "env", "--tag", "noequals", "--policy-arn", "garbage", HOP1], /--tag 'noequals': expected KEY=VALUE/],
    ["--tag without =", ["--tag", "Team", HOP1], /--tag 'Team': expected KEY=VALUE/],
    ["--tag with an empty key", ["--tag", "=ops", HOP1], /--tag '=ops': the key before = is empty/],
    ["--tag key outside AWS's characters", ["--tag", "team!=ops", HOP1], /--tag 'team!=ops': the key must be 1-128 letters, digits, spaces and _\.:\/=\+-@/],
    ["--tag key of 129 characters", ["--tag", `${"k".repeat(129)}=v`, HOP1], /--tag 'k{129}=v': the key must be 1-128 letters, digits, spaces and _\.:\/=\+-@/],
    ["--tag value of 257 characters", ["--tag", `k=${"v".repeat(257)}`, HOP1], /--tag 'k=v{257}': the value must be at most 256 letters, digits, spaces and _\.:\/=\+-@/],
    ["51 tags", [...Array.from({ length: 51 }, (_, i) => ["--tag", `k${i}=v`]).flat(), HOP1], /--tag: 51 tags; AWS allows at most 50 session tags/],
    ["a tag key twice, in another case", ["--tag", "Team=a", "--tag", "TEAM=b", HOP1], /--tag 'TEAM=b': key TEAM is already given by --tag 'Team=a' \(tag keys are case-insensitive\)/],
    ["--transitive-tag without its --tag", ["--tag", "Team=a", "--transitive-tag", "Env", HOP1], /--transitive-tag 'Env': must name the key of a --tag KEY=VALUE/],
    ["--tag with no role to carry it", ["--tag", "Team=a"], /--tag: applies to AssumeRole, but there is no ROLE \(or profile with role_arn\) to assume/],
    ["--policy-arn that is not an ARN", ["--policy-arn", "ReadOnlyAccess", HOP1], /--policy-arn 'ReadOnlyAccess': must be an IAM managed policy ARN .*/],
    ["--policy-arn of a role", ["--policy-arn", HOP2, HOP1], /--policy-arn 'arn:aws:iam::222222222222:role\/CrossAccountRole': must be an IAM managed policy ARN .*/],
    ["11 --policy-arn", [...Array.from({ length: 11 }, (_, i) => ["--policy-arn", `arn:aws:iam::aws:policy/P${i}`]).flat(), HOP1], /--policy-arn: 11 policies; AWS allows at most 10 managed session policies/],
    ["--policy file missing", ["--policy", join(dir, "missing.json"), HOP1], /--policy '.*missing\.json': cannot be read \(ENOENT\)/],
    ["--policy a directory", ["--policy", subdir, HOP1], /--policy '.*a-directory': is a directory, not a policy file/],
    ["--policy a FIFO (refused, not read forever)", ["--policy", fifo, HOP1], /--policy '.*fifo': is not a regular file/],
    ["--policy not JSON", ["--policy", file("text.json", "Allow everything"), HOP1], /--policy '.*text\.json': not valid JSON \(.*\)/],
    ["--policy a JSON array", ["--policy", file("array.json", "[]"), HOP1], /--policy '.*array\.json': must be a JSON object \(a policy document with Version and Statement\)/],
    ["--policy over 2048 characters", ["--policy", file("big.json", JSON.stringify({ Sid: "x".repeat(2100) })), HOP1], /--policy '.*big\.json': 2110 characters; AWS allows at most 2048 in a session policy/],
    ["--policy not UTF-8", ["--policy", latin1File(), HOP1], /--policy '.*latin1\.json': is not UTF-8 text/],
    ["--source-identity too short", ["--source-identity", "a", HOP1], /--source-identity 'a': must be 2-64 characters of letters, digits and \+=,\.@_-, not starting with aws:/],
    ["--source-identity with a space", ["--source-identity", "alice smith", HOP1], /--source-identity 'alice smith': must be 2-64 characters .*/],
    ["--source-identity starting with aws:", ["--source-identity", "aws:me", HOP1], /--source-identity 'aws:me': must be .*not starting with aws:/],
    ["-q with -v", ["-q", "-v", HOP1], /option '-q, --quiet' cannot be used with option '-v, --verbose'/],
    ["whoami -q with -v", ["whoami", "-v", "-q", HOP1], /option '-q, --quiet' cannot be used with option '-v, --verbose'/],
    ["--refresh with --no-cache", ["--refresh", "--no-cache", HOP1], /option '--refresh' cannot be used with option '--no-cache'/],
    ["serve --refresh with --no-cache", ["serve", "--no-cache", "--refresh", HOP1], /option '--refresh' cannot be used with option '--no-cache'/],
    ["-w with -f", ["-w", "prod", "-f", "json", HOP1], /option '-w, --write-profile <name>' cannot be used with option '-f, --format <format>'/],
    ["--force without -w", ["--force", HOP1], /--force applies only with -w\/--write-profile, which is not given/],
    ["--credentials-file without -w", ["--credentials-file", join(dir, "creds"), HOP1], /--credentials-file applies only with -w\/--write-profile, which is not given/],
    ["whoami -f github", ["whoami", "-f", "github", HOP1], /option '-f, --format <format>' argument 'github' is invalid\. Allowed choices are text, json\./],
    ["exec -f json", ["exec", "-f", "json", HOP1, "--", "true"], /exec: --format 'json' does not apply: exec prints no credentials, it puts them in CMD's environment/],
    ["unset -f json", ["unset", "-f", "json"], /option '-f, --format <format>' argument 'json' is invalid\. Allowed choices are sh, bash, zsh, fish, nu, powershell, pwsh, cmd\./],
    ["serve -f process", ["serve", "-f", "process", HOP1], /option '-f, --format <format>' argument 'process' is invalid\. Allowed choices are sh, bash, zsh, fish, nu, powershell, pwsh, cmd, dotenv\./],
  ];
  it.skipIf(isRoot)("--policy unreadable (skipped as root, who reads any file)", async () => {
    const sb = await startSandbox();
    try {
      const r = await runCli(["--policy", unreadable, HOP1], { ...sb.env(), AWS_METADATA_SERVICE_TIMEOUT: "10" });
      expect([r.code, r.stdout]).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^assume-role: --policy '.*unreadable\.json': cannot be read \(EACCES\)/);
      expect(sb.requests).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  it.concurrent.each(cases)("%s", async (_name, args, line) => {
    const r = await runCli(args, { ...sb.env(), AWS_METADATA_SERVICE_TIMEOUT: "10" });
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^assume-role: ${line.source}\n(  hint: .*\n)?$`));
    expect(r.code).toBe(2);
    expect(sb.requests).toEqual([]);
  });
});

/** A policy file with a Latin-1 byte that is not UTF-8. */
function latin1File(): string {
  const path = join(dir, "latin1.json");
  writeFileSync(path, Buffer.from('{"Sid":"caf\xe9"}', "latin1"));
  return path;
}

describe("session values through the chain", () => {
  const sandbox = useSandbox();
  const alice = () => {
    const keys = sandbox().userKeys("alice");
    return { ...sandbox().env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
  };

  it("--dry-run shows per hop the tags it sends, the transitive ones it inherits, the source identity and the policies", async () => {
    const args = ["--dry-run", "--source", "env", "--tag", "Team=ops", "--tag", "Env=prod", "--transitive-tag", "env"];
    const r = await runCli([...args, "--source-identity", "alice", "--policy", POLICY, "--policy-arn", READ_ONLY, HOP1, HOP2], alice());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("hop") || /^ {2}(tags|transitive|inherited|source identity|session policy)/.test(l))).toEqual([
      `hop 1: ${HOP1}`,
      "  source identity: alice",
      "  tags: Team=ops, Env=prod",
      "  transitive tag keys: Env (passed on to every later session)",
      `hop 2: ${HOP2}`,
      "  source identity: alice",
      "  tags: Team=ops",
      "  inherited transitive tags: Env=prod (not sent again)",
      `  session policy: inline (${POLICY_TEXT.length} characters)`,
      `  session policy ARNs: ${READ_ONLY}`,
    ]);
    expect(sandbox().requests).toEqual([]);
  });

  it("a caller that may not tag sessions: exit 4 naming sts:TagSession, nothing on stdout", async () => {
    // The instance role may only sts:AssumeRole.
    const r = await runCli(["--tag", "Team=ops", HOP1], sandbox().env());
    expect([r.code, r.stdout]).toEqual([4, ""]);
    const [line, hint] = r.stderr.split("\n");
    expect(line).toBe(`assume-role: access denied: arn:aws:sts::${A}:assumed-role/ExampleRole/i-0123456789abcdef0 may not assume ${HOP1} with session tags`);
    expect(hint).toBe("  hint: both sides must allow it:");
    expect(r.stderr).toContain(`must allow sts:AssumeRole and sts:TagSession on ${HOP1}`);
    const assumes = sandbox().requests.filter((q) => q.action === "AssumeRole");
    expect(assumes.map((q) => [fields(q.params, "Tags."), q.errorCode])).toEqual([[{ "Tags.member.1.Key": "Team", "Tags.member.1.Value": "ops" }, "AccessDenied"]]);
    // IMDS does not tell who the instance role's session is; one GetCallerIdentity names the caller of the denial.
    expect(sandbox().requests.filter((q) => q.action !== "AssumeRole").map((q) => q.action)).toEqual(["GetCallerIdentity"]);
  });

  it("the cache never hands a session without policies, tags or source identity to a run that asks for them", async () => {
    const env = { ...alice(), XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "assume-role-xdg-")) };
    const run = async (extra: string[]) => {
      const before = sandbox().requests.length;
      const r = await runCli(["--source", "env", "-f", "json", ...extra, HOP1, HOP2], env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const sent = sandbox().requests.slice(before).filter((q) => q.action === "AssumeRole");
      expect(sent.every((q) => q.status === 200)).toBe(true);
      return { key: (JSON.parse(r.stdout) as { AccessKeyId: string }).AccessKeyId, sent: sent.map((q) => q.params) };
    };
    const plain = await run([]);
    expect(plain.sent.map((p) => p.RoleArn)).toEqual([HOP1, HOP2]);
    expect((await run([])).sent).toEqual([]); // a cache hit, as usual

    // Session policies are on the last hop: hop 1 comes from the cache, hop 2 is asked for again, restricted.
    const managed = await run(["--policy-arn", READ_ONLY]);
    expect(managed.sent.map((p) => [p.RoleArn, p["PolicyArns.member.1.arn"]])).toEqual([[HOP2, READ_ONLY]]);
    expect(managed.key).not.toBe(plain.key);
    const inline = await run(["--policy", POLICY]);
    expect(inline.sent.map((p) => [p.RoleArn, p.Policy])).toEqual([[HOP2, POLICY_TEXT]]);
    expect(new Set([plain.key, managed.key, inline.key]).size).toBe(3);

    // Tags and source identity are on every hop: both hops are asked for again.
    const tagged = await run(["--tag", "Team=ops"]);
    expect(tagged.sent.map((p) => [p.RoleArn, p["Tags.member.1.Key"]])).toEqual([
      [HOP1, "Team"],
      [HOP2, "Team"],
    ]);
    const transitive = await run(["--tag", "Team=ops", "--transitive-tag", "Team"]);
    expect(transitive.sent.map((p) => [p.RoleArn, p["TransitiveTagKeys.member.1"]])).toEqual([
      [HOP1, "Team"],
      [HOP2, undefined],
    ]);
    const identified = await run(["--source-identity", "alice"]);
    expect(identified.sent.map((p) => [p.RoleArn, p.SourceIdentity])).toEqual([
      [HOP1, "alice"],
      [HOP2, "alice"],
    ]);
    expect(new Set([plain.key, tagged.key, transitive.key, identified.key]).size).toBe(4);

    // Each restricted session is cached under its own key and handed only to the same request.
    const again = await run(["--policy-arn", READ_ONLY]);
    expect([again.sent, again.key]).toEqual([[], managed.key]);
  });
});

const POLICY_TEXT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';

function fields(params: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith(prefix)));
}
