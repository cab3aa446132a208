/**
 * `--write-profile NAME` through the built CLI against the sandbox: the credentials file afterwards,
 * byte for byte, and what the user sees on stdout/stderr.
 */
import { spawn, spawnSync } from "node:child_process";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, spawnCollect } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const RICH = readFileSync(join(import.meta.dirname, "../fixtures/credentials/rich.ini"));
const WRITERS = 20;
const sandbox = useSandbox();

const python = spawnSync("python3", ["-c", "import configparser"], { encoding: "utf8" });
const hasPython = !python.error && python.status === 0;
if (!hasPython) console.log("e2e/write-profile: python3 not available: the file is checked with the test's own line check instead of configparser");

function credentialsFile(content: Buffer | string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "assume-role-creds-"));
  const path = join(dir, "credentials");
  writeFileSync(path, content, { mode: 0o600 });
  return { dir, path };
}

/** Sections → keys as botocore's parser (configparser.RawConfigParser) reads them; a fallback line check otherwise. */
async function parse(path: string): Promise<Record<string, Record<string, string>>> {
  if (hasPython) {
    const script = "import configparser,json,sys\nc=configparser.RawConfigParser()\nc.read(sys.argv[1],encoding='utf-8')\nprint(json.dumps({s:dict(c[s]) for s in c.sections()}))";
    const r = await spawnCollect("python3", ["-c", script, path], { PATH: process.env.PATH ?? "" });
    if (r.code !== 0) throw new Error(`configparser refused ${path}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, Record<string, string>>;
  }
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#") || t.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]/.exec(t);
    if (header) {
      if (out[header[1]!.trim()]) throw new Error(`duplicate section ${header[1]}`);
      section = out[header[1]!.trim()] = {};
    } else if (/^\s/.test(line) && section) continue;
    else if (t.includes("=") && section) section[t.slice(0, t.indexOf("=")).trim().toLowerCase()] = t.slice(t.indexOf("=") + 1).trim();
    else throw new Error(`unparsable line ${JSON.stringify(line)}`);
  }
  return out;
}

async function callerArn(section: Record<string, string>): Promise<string | undefined> {
  const client = new STSClient({
    region: "us-east-1",
    endpoint: sandbox().stsEndpoint,
    credentials: { accessKeyId: section.aws_access_key_id!, secretAccessKey: section.aws_secret_access_key!, sessionToken: section.aws_session_token },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

describe("--write-profile", () => {
  it("replaces [prod] of a rich file: every byte outside the section unchanged, stdout empty, one accurate line on stderr", async () => {
    const { dir, path } = credentialsFile(RICH);
    const r = await runCli([HOP1, HOP2, "--write-profile", "prod", "--credentials-file", path], sandbox().env());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const after = readFileSync(path);
    const start = RICH.indexOf("[prod]");
    const end = RICH.indexOf("\n[production]");
    const tail = RICH.length - end;
    expect(after.subarray(0, start).equals(RICH.subarray(0, start))).toBe(true);
    expect(after.subarray(after.length - tail).equals(RICH.subarray(end))).toBe(true);
    const sections = await parse(path);
    const prod = sections.prod!;
    expect(r.stderr).toBe(`assume-role: wrote profile [prod] to ${path}, expires ${prod.aws_credential_expiration}\n`);
    expect(Object.keys(prod)).toEqual(["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_credential_expiration", "region"]);
    expect(new Date(prod.aws_credential_expiration!).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await callerArn(prod)).toBe("arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["credentials"]);
  });

  it("appends a new profile to a CRLF file without a final newline: the old bytes are an untouched prefix, CRLF kept", async () => {
    const original = Buffer.from(RICH.toString("latin1").replace(/\n/g, "\r\n").replace(/\r\n$/, ""), "latin1");
    const { path } = credentialsFile(original);
    const r = await runCli([HOP1, "-w", "brand-new"], { ...sandbox().env(), AWS_SHARED_CREDENTIALS_FILE: path });
    expect(r.code).toBe(0);
    const after = readFileSync(path);
    expect(after.subarray(0, original.length).equals(original)).toBe(true);
    const added = after.subarray(original.length).toString("latin1");
    expect(added).toMatch(
      /^\r\n\r\n\[brand-new\]\r\naws_access_key_id = ASIA\w+\r\naws_secret_access_key = \S+\r\naws_session_token = \S+\r\naws_credential_expiration = \S+Z$/,
    );
    expect(Object.keys(await parse(path))).toContain("brand-new");
  });

  it("defaults to $HOME/.aws/credentials, creating .aws as 0700", async () => {
    const home = mkdtempSync(join(tmpdir(), "assume-role-home-"));
    const r = await runCli([HOP1, "-w", "default"], { ...sandbox().env(), HOME: home });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`^assume-role: wrote profile \\[default\\] to ${home}/\\.aws/credentials, expires \\S+Z\\nassume-role: added region = us-east-1 to \\[default\\] in ${home}/\\.aws/config\\n$`),
    );
    expect(readFileSync(join(home, ".aws/config"), "utf8")).toBe("[default]\nregion = us-east-1\n");
    expect(statSync(join(home, ".aws")).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, ".aws/credentials")).mode & 0o777).toBe(0o600);
  });

  it(`${WRITERS} processes writing different profiles at once: all present, the file parses, nothing else changed`, async () => {
    const { dir, path } = credentialsFile(RICH);
    const env = { ...sandbox().env(), AWS_METADATA_SERVICE_TIMEOUT: "30" };
    const runs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => runCli([HOP1, "--write-profile", `p${i}`, "--credentials-file", path], env)),
    );
    expect(runs.map((r) => [r.code, r.stdout])).toEqual(runs.map(() => [0, ""]));
    const after = readFileSync(path);
    expect(after.subarray(0, RICH.length).equals(RICH)).toBe(true);
    const sections = await parse(path);
    const original = await parse(join(import.meta.dirname, "../fixtures/credentials/rich.ini"));
    for (const [name, keys] of Object.entries(original)) expect(sections[name]).toEqual(keys);
    const written = Array.from({ length: WRITERS }, (_, i) => `p${i}`);
    expect(Object.keys(sections).sort()).toEqual([...Object.keys(original), ...written].sort());
    for (const name of written) {
      expect(Object.keys(sections[name]!)).toEqual(["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_credential_expiration"]);
    }
    expect(new Set(written.map((n) => sections[n]!.aws_access_key_id)).size).toBe(WRITERS);
    const arns = await Promise.all(written.map((n) => callerArn(sections[n]!)));
    expect(new Set(arns)).toEqual(new Set(["arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/i-0123456789abcdef0"]));
    expect(readdirSync(dir)).toEqual(["credentials"]);
  }, 120_000);

  it("refuses a symbolic link: exit 8, nothing on stdout, link and target unchanged", async () => {
    const { dir, path } = credentialsFile(RICH);
    const link = join(dir, "link");
    symlinkSync(path, link);
    const r = await runCli([HOP1, "-w", "prod", "--credentials-file", link], sandbox().env());
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toContain(`assume-role: ${link} is a symbolic link; assume-role does not write credentials through links\n`);
    expect(readFileSync(path).equals(RICH)).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses to replace long-term keys without --force (exit 8, file unchanged); --force replaces them", async () => {
    const { path } = credentialsFile(RICH);
    const refused = await runCli([HOP1, "-w", "static", "--credentials-file", path], sandbox().env());
    expect([refused.code, refused.stdout]).toEqual([8, ""]);
    expect(refused.stderr).toContain("profile [static]");
    expect(refused.stderr).toContain("--force");
    expect(readFileSync(path).equals(RICH)).toBe(true);
    const forced = await runCli([HOP1, "-w", "static", "--credentials-file", path, "--force"], sandbox().env());
    expect(forced.code).toBe(0);
    const sections = await parse(path);
    expect(sections.static!.aws_access_key_id).toMatch(/^ASIA/);
    expect(sections.static!.aws_session_token).toBeTruthy();
  });

  it("a failed chain or an invalid name leaves the file unchanged and stdout empty", async () => {
    const { path } = credentialsFile(RICH);
    const denied = await runCli([HOP1, "arn:aws:iam::222222222222:role/AliceOnlyRole", "-w", "prod", "--credentials-file", path], sandbox().env());
    expect([denied.code, denied.stdout]).toEqual([4, ""]);
    const badName = await runCli([HOP1, "-w", "my profile", "--credentials-file", path], sandbox().env());
    expect([badName.code, badName.stdout]).toEqual([2, ""]);
    expect(badName.stderr).toContain("--write-profile 'my profile': not a valid profile name");
    expect(readFileSync(path).equals(RICH)).toBe(true);
  });
});

/** A pid that is certainly not running: a child that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("--write-profile: hostile targets are refused before any STS call", () => {
  const stsCalls = () => sandbox().requests.length;

  it.each([
    ["a directory", (path: string) => mkdirSync(path)],
    ["a FIFO (which would block a read forever)", (path: string) => spawnSync("mkfifo", [path])],
  ])("--credentials-file that is %s: exit 8 naming it, no STS call, nothing changed", async (_what, make) => {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-creds-"));
    const path = join(dir, "credentials");
    make(path);
    const r = await runCli([HOP1, "-w", "p", "--credentials-file", path], sandbox().env());
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(`assume-role: ${path} is not a regular file\n  hint: remove it or choose another path\n`);
    expect(stsCalls()).toBe(0);
    expect(readdirSync(dir)).toEqual(["credentials"]);
  });

  it("a credentials file in a directory others can write: exit 8 with the chmod hint, no STS call, the file unchanged", async () => {
    const { dir, path } = credentialsFile(RICH);
    chmodSync(dir, 0o777);
    try {
      const r = await runCli([HOP1, "-w", "p", "--credentials-file", path], sandbox().env());
      expect([r.code, r.stdout]).toEqual([8, ""]);
      expect(r.stderr).toBe(`assume-role: ${dir} is writable by others (mode 0777), who could replace the credentials file in it\n  hint: chmod go-w ${dir}\n`);
      expect(stsCalls()).toBe(0);
      expect(readFileSync(path).equals(RICH)).toBe(true);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it("a symbolic link at the lock path: exit 8 naming it at once (no 30 s wait); link, target and file unchanged", async () => {
    const { dir, path } = credentialsFile(RICH);
    writeFileSync(join(dir, "elsewhere"), "x");
    symlinkSync(join(dir, "elsewhere"), `${path}.lock`);
    const r = await runCli([HOP1, "-w", "p", "--credentials-file", path], sandbox().env());
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toBe(`assume-role: ${path}.lock is a symbolic link, not a lock file assume-role made\n  hint: remove ${path}.lock\n`);
    expect(r.ms).toBeLessThan(5_000);
    expect(readFileSync(path).equals(RICH)).toBe(true);
    expect(readFileSync(join(dir, "elsewhere"), "utf8")).toBe("x");
  });
});

describe("--write-profile: the region in the config file", () => {
  function home(config?: string): { home: string; config: string } {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-home-"));
    mkdirSync(join(dir, ".aws"), { mode: 0o700 });
    if (config !== undefined) writeFileSync(join(dir, ".aws/config"), config, { mode: 0o644 });
    return { home: dir, config: join(dir, ".aws/config") };
  }
  const CONFIG = "# team settings\n[default]\nregion = eu-west-1\n\n[profile ci]\noutput = json\ns3 =\n  max_concurrent_requests = 4\n\n# trailing comment\n[profile other]\nregion = ap-south-1\n";

  it("a section without a region gets one after its last key; every other byte and the file's mode unchanged; botocore reads it", async () => {
    const h = home(CONFIG);
    const r = await runCli([HOP1, "-w", "ci"], { ...sandbox().env(), HOME: h.home });
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).toContain(`assume-role: added region = us-east-1 to [profile ci] in ${h.config}\n`);
    expect(readFileSync(h.config, "utf8")).toBe(CONFIG.replace("max_concurrent_requests = 4\n", "max_concurrent_requests = 4\nregion = us-east-1\n"));
    expect(statSync(h.config).mode & 0o777).toBe(0o644);
    const probe = spawnSync("python3", ["-c", "import botocore.session as s; print(s.Session(profile='ci').get_config_variable('region'))"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: h.home },
    });
    if (probe.status !== 0 && /No module named/.test(probe.stderr)) console.log("write-profile region: botocore not installed, its reading of the file is not checked");
    else expect(probe.stdout.trim()).toBe("us-east-1");
  });

  it("a section that names a region keeps it (said on stderr when it differs); the file is not rewritten", async () => {
    const h = home(CONFIG);
    const before = statSync(h.config);
    const r = await runCli([HOP1, "-w", "other"], { ...sandbox().env(), HOME: h.home });
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).toContain(`assume-role: [profile other] in ${h.config} keeps its region ap-south-1 (these credentials were made in us-east-1)\n`);
    expect(readFileSync(h.config, "utf8")).toBe(CONFIG);
    expect(statSync(h.config).ino).toBe(before.ino);
  });

  it("a config file that is a symbolic link is not written through: the credentials are written, the link and target unchanged, stderr says so", async () => {
    const h = home();
    const target = join(h.home, "dotfiles-config");
    writeFileSync(target, "[profile x]\n");
    symlinkSync(target, h.config);
    const r = await runCli([HOP1, "-w", "x"], { ...sandbox().env(), HOME: h.home });
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).toContain(`assume-role: did not add region = us-east-1 to [profile x] in ${h.config}: `);
    expect(r.stderr).toContain("add it there yourself\n");
    expect(readFileSync(target, "utf8")).toBe("[profile x]\n");
    expect(lstatSync(h.config).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(h.home, ".aws/credentials"), "utf8")).toMatch(/^\[x\]\naws_access_key_id = ASIA/);
  });

  it("a section with role_arn: warned that the SDKs would use it instead of the written keys", async () => {
    const h = home(`[profile deploy]\nrole_arn = ${HOP2}\nsource_profile = default\n`);
    const r = await runCli([HOP1, "-w", "deploy"], { ...sandbox().env(), HOME: h.home });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`assume-role: profile [deploy] in ${h.config} has role_arn, source_profile, which the SDKs use instead of the written keys: remove them from that section\n`);
  });

  it("with --credentials-file the shared config file is left alone (the user chose a file apart from the shared pair)", async () => {
    const h = home();
    const path = join(h.home, "elsewhere-credentials");
    const r = await runCli([HOP1, "-w", "apart", "--credentials-file", path], { ...sandbox().env(), HOME: h.home });
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).not.toContain("region");
    expect(readdirSync(join(h.home, ".aws"))).toEqual([]);
    expect(readFileSync(path, "utf8")).toMatch(/^\[apart\]\naws_access_key_id = ASIA/);
  });

  it("no region known (environment keys, no AWS_REGION, no IMDS): the config file is not created", async () => {
    const h = home();
    const keys = sandbox().userKeys("alice");
    const env = { AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, HOME: h.home };
    const r = await runCli([HOP1, "-w", "plain"], env);
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).not.toContain("region");
    expect(readdirSync(join(h.home, ".aws"))).toEqual(["credentials"]);
  });
});

describe("--write-profile: temp files of killed writers", () => {
  it("a write removes the full copies a killed writer left (.credentials.tmp-PID-RAND, dead pid); another file's temp stays", async () => {
    const { dir, path } = credentialsFile(RICH);
    const dead = `.credentials.tmp-${await deadPid()}-0123456789ab`;
    const unrelated = `.config.tmp-${await deadPid()}-0123456789ab`;
    writeFileSync(join(dir, dead), RICH, { mode: 0o600 });
    writeFileSync(join(dir, unrelated), "x", { mode: 0o600 });
    const r = await runCli([HOP1, "-w", "fresh", "--credentials-file", path], sandbox().env());
    expect([r.code, r.stdout]).toEqual([0, ""]);
    expect(readdirSync(dir).sort()).toEqual([unrelated, "credentials"].sort());
    expect((await parse(path)).fresh!.aws_access_key_id).toMatch(/^ASIA/);
  });
});
