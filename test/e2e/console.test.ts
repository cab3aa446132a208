/**
 * `assume-role console` through the built CLI against the sandbox's federation endpoint: the login URL it
 * prints or hands to the browser, what the federation endpoint received (the chain's final session), the
 * SessionDuration rule, partition defaults, and the federation endpoint's failures.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_WORLD_JSON, parseWorld, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli, type RunResult } from "../helpers/cli.js";
import { runUntilReady } from "../helpers/long-running.js";
import { useSandbox } from "../helpers/sandbox.js";
import { keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const INSTANCE = "i-0123456789abcdef0";
const ALICE_MFA = "arn:aws:iam::123456789012:mfa/alice";
const FINAL_SESSION = `arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`;
const HOME_US_EAST_1 = "https://console.aws.amazon.com/console/home?region=us-east-1";
const sandbox = useSandbox();

const tempDir = () => mkdtempSync(join(tmpdir(), "assume-role-console-"));
const withSignin = (sb: Sandbox, args: readonly string[]) => ["console", "--signin-url", sb.federationEndpoint, ...args];

/** The one line of stdout as a URL, with its query as a plain object. */
function printedUrl(r: RunResult): { url: URL; query: Record<string, string> } {
  expect(r.stdout).toMatch(/^[^\n]+\n$/);
  const url = new URL(r.stdout.trimEnd());
  return { url, query: Object.fromEntries(url.searchParams) };
}

/** Exports of the default command as variables (sh format). */
function exported(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe("console --url", () => {
  it("prints only the login URL: Action=login, the sandbox's sign-in token, the region's console home, and no key or token", async () => {
    const sb = sandbox();
    const cache = { XDG_CACHE_HOME: tempDir() };
    // The default command fills the cache, so the console run signs in with exactly these credentials.
    const creds = exported((await runCli([HOP1, HOP2], { ...sb.env(), ...cache })).stdout);
    expect(creds.AWS_SESSION_TOKEN).toBeDefined();
    sb.resetCounts();
    const r = await runCli(withSignin(sb, ["--url", HOP1, HOP2]), { ...sb.env(), ...cache });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const { url, query } = printedUrl(r);
    expect(`${url.origin}${url.pathname}`).toBe(sb.federationEndpoint);
    expect(Object.keys(query).sort()).toEqual(["Action", "Destination", "Issuer", "SigninToken"]);
    expect(query).toMatchObject({ Action: "login", Issuer: "assume-role", Destination: HOME_US_EAST_1 });
    const [exchange] = sb.federationRequests;
    expect(sb.federationRequests).toHaveLength(1);
    expect(exchange).toMatchObject({ action: "getSigninToken", status: 200, sessionArn: FINAL_SESSION });
    // The Session JSON carried the chain's final credentials (the sandbox checked key, secret and token).
    expect(exchange!.params.sessionId).toBe(creds.AWS_ACCESS_KEY_ID);
    expect(query.SigninToken).toBe(exchange!.signinToken);
    for (const secret of [creds.AWS_SECRET_ACCESS_KEY!, creds.AWS_SESSION_TOKEN!]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stdout).not.toContain(encodeURIComponent(secret));
    }
    expect(sb.requests).toEqual([]); // a cache hit: no STS request at all
    // The URL signs in: the sandbox's login page names the final role session.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(FINAL_SESSION);
    expect(sb.federationRequests.at(-1)).toMatchObject({ action: "login", tokenValid: true, sessionArn: FINAL_SESSION, params: { Issuer: "assume-role", Destination: HOME_US_EAST_1 } });
  });

  it("without the cache, runs the chain and exchanges its final session", async () => {
    const sb = sandbox();
    const r = await runCli(withSignin(sb, ["--url", "--no-cache", HOP1, HOP2]), sb.env());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(sb.requests.map((q) => [q.action, q.params.RoleArn, q.status])).toEqual([
      ["AssumeRole", HOP1, 200],
      ["AssumeRole", HOP2, 200],
    ]);
    expect(sb.federationRequests.map((f) => [f.action, f.sessionArn, f.params.SessionDuration])).toEqual([["getSigninToken", FINAL_SESSION, undefined]]);
  });

  it("--destination: a console URL as given, a path on the partition's console with the region", async () => {
    const sb = sandbox();
    const given = "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:";
    const full = printedUrl(await runCli(withSignin(sb, ["--url", "--destination", given, HOP1]), sb.env()));
    expect(full.query.Destination).toBe(given);
    const path = printedUrl(await runCli(withSignin(sb, ["--url", "--destination", "/s3/home", "-r", "eu-west-1", HOP1]), sb.env()));
    expect(path.query.Destination).toBe("https://console.aws.amazon.com/s3/home?region=eu-west-1");
  });

  it("the destination's region is the chain's: --region, else the environment's; none known: the console home without one", async () => {
    const sb = sandbox();
    const eu = printedUrl(await runCli(withSignin(sb, ["--url", "-r", "eu-west-1", HOP1]), sb.env()));
    expect(eu.query.Destination).toBe("https://console.aws.amazon.com/console/home?region=eu-west-1");
    // alice's keys, no region configured anywhere and IMDS closed: STS is called in us-east-1, but that is a default, not the user's region.
    const keys = sb.userKeys("alice");
    const env = { AWS_ENDPOINT_URL_STS: sb.stsEndpoint, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    const none = await runCli(withSignin(sb, ["--url", HOP1]), env);
    expect([none.code, none.stderr]).toEqual([0, ""]);
    expect(printedUrl(none).query.Destination).toBe("https://console.aws.amazon.com/console/home");
  });
});

describe("SessionDuration: only for a final hop that long-term keys asked for", () => {
  it("alice's keys → one unchained hop: SessionDuration is the hop's duration, and AWS's rule is met", async () => {
    const sb = sandbox();
    const keys = sb.userKeys("alice");
    const env = { ...sb.env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    const r = await runCli(withSignin(sb, ["--url", "--source", "env", "-d", "2h", HOP1]), env);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(sb.requests.map((q) => q.params.DurationSeconds)).toEqual(["7200"]);
    expect(sb.federationRequests.map((f) => [f.params.SessionDuration, f.status])).toEqual([["7200", 200]]);
  });

  it("a chained final hop (IMDS source, or a second hop): no SessionDuration, which the endpoint would refuse", async () => {
    const sb = sandbox();
    const r = await runCli(withSignin(sb, ["--url", "--no-cache", HOP1]), sb.env());
    expect(r.code).toBe(0);
    expect(sb.federationRequests.map((f) => [f.params.SessionDuration, f.status])).toEqual([[undefined, 200]]);
  });

  it("a role assumed with an MFA session (mfa_serial on the keys' profile): capped at 1 h, no SessionDuration, which the endpoint would refuse", async () => {
    const sb = sandbox();
    const files = profileFiles(
      `[profile alice]\nmfa_serial = ${ALICE_MFA}\n[profile example]\nrole_arn = ${HOP1}\nsource_profile = alice\n`,
      keysSection("alice", sb.userKeys("alice")),
    );
    const env = { ...sb.env(), ...files, XDG_CACHE_HOME: tempDir() };
    const dry = await runCli(withSignin(sb, ["--url", "--dry-run", "--profile", "example", "-d", "8h"]), env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("; no SessionDuration (the console session ends with the credentials); ");
    const r = await runCli(withSignin(sb, ["--url", "--profile", "example", "--mfa-token", "123456", "-d", "8h"]), env);
    expect([r.code, r.stderr]).toEqual([0, `assume-role: warning: --duration 8h lowered to 1h for ${HOP1}: AWS caps sessions assumed with an MFA session (GetSessionToken) at 1 hour\n`]);
    expect(sb.requests.map((q) => [q.action, q.params.DurationSeconds, q.status])).toEqual([
      ["GetSessionToken", "43200", 200],
      ["AssumeRole", "3600", 200],
    ]);
    expect(sb.federationRequests.map((f) => [f.action, f.params.SessionDuration, f.status])).toEqual([["getSigninToken", undefined, 200]]);
    expect(printedUrl(r).query.SigninToken).toBe(sb.federationRequests[0]!.signinToken);
  });

  it("no hop: the instance role's own session signs in, without SessionDuration", async () => {
    const sb = sandbox();
    const r = await runCli(withSignin(sb, ["--url"]), sb.env());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(sb.federationRequests.map((f) => [f.sessionArn, f.params.SessionDuration])).toEqual([
      [`arn:aws:sts::123456789012:assumed-role/ExampleRole/${INSTANCE}`, undefined],
    ]);
  });
});

describe("long-term keys", () => {
  it("are refused without a role before any request, with a hint", async () => {
    const sb = sandbox();
    const keys = sb.userKeys("alice");
    const r = await runCli(withSignin(sb, ["--url"]), { ...sb.env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/^assume-role: console: the keys in the environment are long-term, and the console needs a role session\n  hint: name a ROLE/);
    expect([sb.requests, sb.federationRequests]).toEqual([[], []]);
  });
});

describe("opening the browser", () => {
  /** A fake opener named `name` in a fresh directory: records its argv (one per line) and exits `status`. */
  function fakeOpener(name: string, status = 0): { dir: string; record: string } {
    const dir = tempDir();
    const record = join(dir, "argv");
    writeFileSync(join(dir, name), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${record}'\nexit ${status}\n`);
    chmodSync(join(dir, name), 0o755);
    return { dir, record };
  }
  const posixOnly = process.platform === "win32" ? "the openers here are POSIX shell scripts" : undefined;

  it("runs xdg-open with the login URL as its only argument; nothing on stdout", async (ctx) => {
    if (posixOnly) ctx.skip(posixOnly);
    if (process.platform === "darwin") ctx.skip("macOS opens with `open`, not xdg-open");
    const sb = sandbox();
    const { dir, record } = fakeOpener("xdg-open");
    const r = await runCli(withSignin(sb, [HOP1]), { ...sb.env(), PATH: `${dir}:/usr/bin:/bin` });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
    const argv = readFileSync(record, "utf8").split("\n").slice(0, -1);
    expect(argv).toHaveLength(1);
    const url = new URL(argv[0]!);
    expect(url.searchParams.get("Action")).toBe("login");
    expect(url.searchParams.get("SigninToken")).toBe(sb.federationRequests[0]!.signinToken);
    expect(url.searchParams.get("Destination")).toBe(HOME_US_EAST_1);
  });

  it("BROWSER wins, with %s standing for the URL", async (ctx) => {
    if (posixOnly) ctx.skip(posixOnly);
    const sb = sandbox();
    const { dir, record } = fakeOpener("my-browser");
    const r = await runCli(withSignin(sb, [HOP1]), { ...sb.env(), PATH: "/usr/bin:/bin", BROWSER: `${join(dir, "my-browser")} --new-window %s` });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
    const argv = readFileSync(record, "utf8").split("\n").slice(0, -1);
    expect(argv[0]).toBe("--new-window");
    expect(new URL(argv[1]!).searchParams.get("SigninToken")).toBe(sb.federationRequests[0]!.signinToken);
    expect(argv).toHaveLength(2);
  });

  it("an opener that fails: exit 8, one line naming it, the token nowhere", async (ctx) => {
    if (posixOnly) ctx.skip(posixOnly);
    const sb = sandbox();
    const { dir } = fakeOpener("my-browser", 3);
    const r = await runCli(withSignin(sb, [HOP1]), { ...sb.env(), BROWSER: join(dir, "my-browser") });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toMatch(/^assume-role: console: .*my-browser \(\$BROWSER\) exited 3 without opening the console\n  hint: print the URL instead with --url/);
    expect(r.stderr).not.toContain(sb.federationRequests[0]!.signinToken!);
  });

  it("no opener on PATH: exit 8 before any STS request", async () => {
    const sb = sandbox();
    const r = await runCli(withSignin(sb, [HOP1]), { ...sb.env(), PATH: tempDir() });
    expect([r.code, r.stdout]).toEqual([8, ""]);
    expect(r.stderr).toMatch(/^assume-role: console: cannot open a browser: (xdg-open|open) \(the \w+ opener\) is not an executable on PATH\n  hint: /);
    expect([sb.requests, sb.federationRequests]).toEqual([[], []]);
  });
});

describe("partitions", () => {
  it("--dry-run shows each partition's default sign-in endpoint and console, without a request", async () => {
    const cases = [
      ["arn:aws:iam::123456789012:role/R", "us-east-1", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/console/home?region=us-east-1"],
      ["arn:aws-us-gov:iam::123456789012:role/R", "us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"],
      ["arn:aws-cn:iam::123456789012:role/R", "cn-north-1", "https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/console/home?region=cn-north-1"],
    ];
    for (const [role, region, signin, home] of cases) {
      const r = await runCli(["console", "--dry-run", "-r", region!, role!]);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toContain(`then: exchange the final session for a console sign-in token at ${signin}; `);
      expect(r.stdout).toContain(`; destination ${home}; open the login URL in the browser\n`);
    }
    const other = await runCli(["console", "--dry-run", "arn:aws-iso:iam::123456789012:role/R"]);
    expect([other.code, other.stdout]).toEqual([2, ""]);
    expect(other.stderr).toMatch(/^assume-role: console: partition 'aws-iso' has no known console sign-in endpoint\n  hint: give --signin-url/);
  });

  it("an aws-cn world: the destination is the China console of the instance's region", async () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_WORLD_JSON).replaceAll("arn:aws:", "arn:aws-cn:"));
    json.partition = "aws-cn";
    json.instance.region = "cn-north-1";
    json.instance.availabilityZone = "cn-north-1a";
    const sb = await startSandbox({ world: parseWorld(json, "aws-cn world") });
    try {
      const env = { ...sb.env(), AWS_REGION: undefined };
      const r = await runCli(withSignin(sb, ["--url", "ExampleAssumedRole"]), env);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(printedUrl(r).query.Destination).toBe("https://console.amazonaws.cn/console/home?region=cn-north-1");
      expect(sb.federationRequests[0]!.sessionArn).toBe(`arn:aws-cn:sts::123456789012:assumed-role/ExampleAssumedRole/${INSTANCE}`);
    } finally {
      await sb.close();
    }
  });
});

describe("federation endpoint failures: exit 6, one line, nothing on stdout, no secret", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });
  /** A federation endpoint on 127.0.0.1:0 that answers every request this way; returns its URL and what it received. */
  async function endpoint(status: number, body: string, contentType = "application/json"): Promise<{ url: string; seen: URL[] }> {
    const seen: URL[] = [];
    server = createServer((req: IncomingMessage, res) => {
      seen.push(new URL(req.url ?? "/", "http://x"));
      res.writeHead(status, { "content-type": contentType });
      res.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation`, seen };
  }

  const cases: Array<[string, number, string, string, RegExp]> = [
    ["HTTP 500", 500, "oops", "text/plain", /answered HTTP 500 to getSigninToken/],
    ["HTTP 400", 400, "<html>bad</html>", "text/html", /answered HTTP 400 to getSigninToken\n  hint: it refused this session/],
    ["not JSON", 200, "<html>Sign in</html>", "text/html", /answered getSigninToken with something that is not a JSON object/],
    ["no SigninToken", 200, `{"Token":"x"}`, "application/json", /answered getSigninToken without a SigninToken/],
  ];
  for (const [name, status, body, type, line] of cases) {
    it(name, async () => {
      const sb = sandbox();
      const fed = await endpoint(status, body, type);
      const cache = { XDG_CACHE_HOME: tempDir() };
      const creds = exported((await runCli([HOP1], { ...sb.env(), ...cache })).stdout);
      const r = await runCli(["console", "--url", "--signin-url", fed.url, HOP1], { ...sb.env(), ...cache });
      expect([r.code, r.stdout]).toEqual([6, ""]);
      expect(r.stderr).toMatch(new RegExp(`^assume-role: console: the federation endpoint http://127\\.0\\.0\\.1:\\d+/federation ${line.source}`));
      expect(r.stderr.split("\n").slice(1, -1).every((l) => l.startsWith("  "))).toBe(true);
      // What the endpoint received is the protocol's GET; the secret went there and nowhere else.
      expect(fed.seen).toHaveLength(1);
      expect(JSON.parse(fed.seen[0]!.searchParams.get("Session")!)).toEqual({
        sessionId: creds.AWS_ACCESS_KEY_ID,
        sessionKey: creds.AWS_SECRET_ACCESS_KEY,
        sessionToken: creds.AWS_SESSION_TOKEN,
      });
      expect(r.stderr).not.toContain(creds.AWS_SECRET_ACCESS_KEY!);
      expect(r.stderr).not.toContain(creds.AWS_SESSION_TOKEN!);
    });
  }

  it("nothing listening", async () => {
    const sb = sandbox();
    const r = await runCli(["console", "--url", "--signin-url", "http://127.0.0.1:65532/federation", HOP1], sb.env());
    expect([r.code, r.stdout]).toEqual([6, ""]);
    expect(r.stderr).toMatch(/^assume-role: console: cannot reach the federation endpoint http:\/\/127\.0\.0\.1:65532\/federation: ECONNREFUSED\n/);
  });
});

it("`assume-role sandbox` names its federation endpoint for --signin-url, on its STS port", async () => {
  const r = await runUntilReady(["sandbox"], {}, /AWS_ENDPOINT_URL_STS=.*\n/);
  const sts = /AWS_ENDPOINT_URL_STS='([^']+)'/.exec(r.stdout)?.[1];
  expect(sts).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(r.stderr).toContain(`(console: --signin-url ${sts}/federation)`);
});
