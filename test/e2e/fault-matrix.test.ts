/**
 * The fault matrix: every way IMDS and STS can fail (or answer something that is not an answer), run
 * through the built CLI against a sandbox that injects the fault. A failure must be one line naming the
 * service, the call and what was wrong (plus optional `  hint:` lines), the documented exit code, nothing
 * on stdout and no cache entry. Cases that succeed by design must succeed, and write their cache entry
 * (which shows the "no entry" check looks in the right place).
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Faults, type Sandbox } from "../../src/sandbox/index.js";
import { GITHUB_ROLE, mintToken } from "../fixtures/oidc/mint-token.js";
import { runCli } from "../helpers/cli.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const INSTANCE_ROLE = "ExampleRole";
const ENDPOINT = String.raw`http://127\.0\.0\.1:\d+`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

interface Row {
  readonly name: string;
  readonly faults?: Partial<Faults>;
  readonly args?: readonly string[];
  /** On top of the sandbox's variables, AWS_MAX_ATTEMPTS=1 and AWS_METADATA_SERVICE_TIMEOUT=3. */
  readonly env?: (sb: Sandbox) => Record<string, string>;
  /** A failure: exit code and the one error line; or success. */
  readonly expect: { readonly code: number; readonly line: RegExp; readonly hint?: RegExp } | "ok";
  /** What the sandbox saw. */
  readonly saw?: (sb: Sandbox) => void;
}

const tokenPuts = (sb: Sandbox) => sb.counts.imds["PUT /latest/api/token"] ?? 0;
const credentialGets = (sb: Sandbox) => sb.counts.imds[`GET /latest/meta-data/iam/security-credentials/${INSTANCE_ROLE}`] ?? 0;

/** An IMDS that answers 403 to everything (HttpEndpoint=disabled); started once for the file. */
let forbiddenImds = "";
let forbidden: Server | undefined;
beforeAll(async () => {
  forbidden = createServer((_req, res) => res.writeHead(403).end("Forbidden"));
  await new Promise<void>((r) => forbidden!.listen(0, "127.0.0.1", r));
  const address = forbidden.address();
  forbiddenImds = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => {
  forbidden?.close();
});

const webIdentityEnv = (): Record<string, string> => {
  const file = join(mkdtempSync(join(tmpdir(), "assume-role-oidc-")), "token");
  writeFileSync(file, mintToken());
  return { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: GITHUB_ROLE };
};

const IMDS: Row[] = [
  {
    name: "IMDS down (every connection dropped): exit 3, not there at all",
    faults: { imdsDown: true },
    expect: { code: 3, line: new RegExp(`^IMDS could not be reached at ${ENDPOINT} \\(`), hint: /not on EC2\?/ },
  },
  {
    name: "IMDS slower than AWS_METADATA_SERVICE_TIMEOUT: exit 3, the wait named",
    faults: { latencyMs: 2_000 },
    env: () => ({ AWS_METADATA_SERVICE_TIMEOUT: "0.5" }),
    expect: { code: 3, line: new RegExp(`^IMDS could not be reached at ${ENDPOINT} \\(no answer within 500 ms\\)$`) },
  },
  {
    name: "IMDS answers slower than usual but within the timeout: success through two hops",
    faults: { latencyMs: 150 },
    args: [HOP1, HOP2],
    expect: "ok",
  },
  {
    name: "IMDS rejects the token mid-run (401 after 2 GETs), a fresh one too: exit 6",
    faults: { imds401After: 2 },
    expect: {
      code: 6,
      line: new RegExp(
        // Which GET meets the refusal depends on what the chain asks alongside the credentials (instance ID, region).
        `^IMDS at ${ENDPOINT} refused /latest/(meta-data|dynamic)/\\S+ \\(HTTP 401\\) with a session token it had just issued$`,
      ),
    },
    // The client asked for a new token once before giving up.
    saw: (sb) => expect(tokenPuts(sb)).toBe(2),
  },
  {
    name: "IMDS without v2 (405 to the token PUT): falls back to v1 and succeeds",
    faults: { imdsV1Only: true },
    expect: "ok",
    saw: (sb) => expect(tokenPuts(sb)).toBe(1),
  },
  {
    name: "IMDS requires v2: one token, sent with every GET, succeeds",
    faults: { imdsV2Required: true },
    expect: "ok",
    saw: (sb) => expect(tokenPuts(sb)).toBe(1),
  },
  {
    name: "token PUT unanswered (container behind hop limit 1): falls back to v1 and succeeds",
    faults: { imdsTokenUnanswered: true },
    env: () => ({ AWS_METADATA_SERVICE_TIMEOUT: "1.5" }),
    expect: "ok",
  },
  {
    name: "token PUT unanswered with IMDSv1 disabled: exit 3 with the hop-limit hint",
    faults: { imdsTokenUnanswered: true },
    env: () => ({ AWS_METADATA_SERVICE_TIMEOUT: "0.5", AWS_EC2_METADATA_V1_DISABLED: "true" }),
    expect: { code: 3, line: /gave no session token \(no answer\) and IMDSv1 is disabled/, hint: /HttpPutResponseHopLimit/ },
  },
  {
    name: "credentials document that is not JSON: exit 6",
    faults: { imdsFault: "garbage" },
    expect: { code: 6, line: new RegExp(`^IMDS answered iam/security-credentials/${INSTANCE_ROLE} with something that is not a JSON object$`) },
  },
  {
    name: 'credentials document with Code other than "Success": exit 6',
    faults: { imdsFault: "code-not-success" },
    expect: { code: 6, line: new RegExp(`^IMDS answered iam/security-credentials/${INSTANCE_ROLE} with Code "InternalError", not Success: `) },
  },
  {
    name: "credentials that expired before they arrived: exit 6 naming the clock",
    faults: { imdsFault: "expired" },
    expect: { code: 6, line: new RegExp(`^IMDS at ${ENDPOINT} answered with credentials for ${INSTANCE_ROLE} that had already expired at `), hint: /clock/ },
    saw: (sb) => expect(sb.counts.sts).toEqual({}),
  },
  {
    name: "a captive portal's HTML page for every request, the token PUT too: exit 6",
    faults: { imdsFault: "html" },
    expect: { code: 6, line: new RegExp(`^IMDS at ${ENDPOINT} answered the session-token request \\(HTTP 200\\) with something that is not a token$`) },
  },
  {
    name: "a captive portal's HTML page to every GET (IMDSv1): exit 6, not a role named <!DOCTYPE",
    faults: { imdsFault: "html", imdsV1Only: true },
    expect: { code: 6, line: /^IMDS answered (iam\/security-credentials\/|instance-identity\/document) with an HTML\/XML page$/ },
    saw: (sb) => expect(credentialGets(sb)).toBe(0),
  },
  {
    name: "IMDS turned off (403 to everything): exit 3 with the HttpEndpoint hint",
    env: () => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: forbiddenImds }),
    expect: { code: 3, line: new RegExp(`^IMDS at ${ENDPOINT} answered HTTP 403 for `), hint: /HttpEndpoint=disabled/ },
  },
  {
    name: "AWS_EC2_METADATA_DISABLED=true with --source imds: exit 3 without a request",
    args: [HOP1, "--source", "imds"],
    env: () => ({ AWS_EC2_METADATA_DISABLED: "true" }),
    expect: { code: 3, line: /^--source imds: IMDS is disabled by AWS_EC2_METADATA_DISABLED=true$/ },
    saw: (sb) => expect(sb.counts.imds).toEqual({}),
  },
];

const STS: Row[] = [
  {
    name: "throttled beyond the retries: exit 7 naming the call and the attempts",
    faults: { stsThrottleFirst: 100 },
    env: () => ({ AWS_MAX_ATTEMPTS: "2" }),
    expect: { code: 7, line: new RegExp(`^STS throttled \\(Throttling\\) on AssumeRole ${esc(HOP1)} after 2 attempts$`) },
    saw: (sb) => expect(sb.counts.sts.AssumeRole).toBe(2),
  },
  {
    name: "throttled, then answered within the retries: success",
    faults: { stsThrottleFirst: 2 },
    env: () => ({ AWS_MAX_ATTEMPTS: "3" }),
    expect: "ok",
    saw: (sb) => expect(sb.counts.sts.AssumeRole).toBe(3),
  },
  {
    name: "HTTP 503 beyond the retries: exit 7",
    faults: { sts5xxFirst: 100 },
    env: () => ({ AWS_MAX_ATTEMPTS: "2" }),
    expect: { code: 7, line: new RegExp(`^STS unavailable \\(HTTP 503\\) on AssumeRole ${esc(HOP1)} after 2 attempts$`) },
  },
  {
    name: "HTTP 503 once, then answered: success",
    faults: { sts5xxFirst: 1 },
    env: () => ({ AWS_MAX_ATTEMPTS: "2" }),
    expect: "ok",
    saw: (sb) => expect(sb.counts.sts.AssumeRole).toBe(2),
  },
  {
    name: "connection reset without an answer: exit 6 saying so (not 'TimeoutError'), after the retries",
    faults: { stsFault: "reset" },
    env: () => ({ AWS_MAX_ATTEMPTS: "2" }),
    expect: { code: 6, line: new RegExp(`^STS at ${ENDPOINT} closed the connection without answering AssumeRole ${esc(HOP1)} \\(ECONNRESET, 2 attempts\\)$`) },
    saw: (sb) => expect(sb.counts.sts.AssumeRole).toBe(2),
  },
  {
    name: "request read and never answered: exit 6 after the request timeout, not a hang",
    faults: { stsFault: "hang" },
    expect: { code: 6, line: new RegExp(`^STS at ${ENDPOINT} did not answer AssumeRole ${esc(HOP1)} in time \\(ETIMEDOUT\\)$`) },
  },
  {
    name: "XML cut off half-way: exit 6, not an internal error",
    faults: { stsFault: "truncated" },
    expect: { code: 6, line: new RegExp(`^STS answered AssumeRole ${esc(HOP1)} with XML that does not parse \\(HTTP 200 text/xml: `) },
  },
  {
    name: "HTTP 200 without Credentials: exit 6",
    faults: { stsFault: "no-credentials" },
    expect: { code: 6, line: new RegExp(`^STS answered AssumeRole ${esc(HOP1)} with no Credentials \\(HTTP 200 text/xml\\)$`) },
  },
  {
    name: "a proxy's HTML page (HTTP 502): exit 6 naming it, after the retries",
    faults: { stsFault: "html-502" },
    env: () => ({ AWS_MAX_ATTEMPTS: "2" }),
    expect: {
      code: 6,
      line: new RegExp(`^STS answered AssumeRole ${esc(HOP1)} with an HTML page \\(HTTP 502 text/html\\), not an STS answer$`),
      hint: /proxy/,
    },
    saw: (sb) => expect(sb.counts.sts.AssumeRole).toBe(2),
  },
  {
    name: "credentials already expired on arrival: exit 6 naming the clock, nothing printed or cached",
    faults: { stsFault: "expired-credentials" },
    expect: { code: 6, line: new RegExp(`^STS answered AssumeRole ${esc(HOP1)} with credentials that had already expired at `), hint: /clock/ },
  },
  {
    name: "ExpiredToken (the signing credentials have expired): exit 3",
    faults: { stsFault: "expired-token" },
    expect: { code: 3, line: new RegExp(`^the credentials that signed AssumeRole ${esc(HOP1)} have expired \\(ExpiredToken\\)$`), hint: /refresh/ },
  },
  {
    name: "RegionDisabledException: exit 8 (configuration)",
    faults: { stsFault: "region-disabled" },
    expect: { code: 8, line: new RegExp(`^STS is not activated in this region for AssumeRole ${esc(HOP1)}$`), hint: /--region/ },
  },
  {
    name: "GetCallerIdentity answered without an identity: exit 6",
    faults: { stsFault: "no-credentials" },
    args: ["whoami", "--source", "env"],
    env: (sb) => {
      const keys = sb.userKeys("alice");
      return { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    },
    expect: { code: 6, line: /^STS answered GetCallerIdentity without Account, Arn and UserId \(HTTP 200\)$/ },
  },
  {
    name: "AssumeRoleWithWebIdentity answered by a proxy's HTML page: exit 6 naming that call",
    faults: { stsFault: "html-502" },
    args: ["--source", "web-identity"],
    env: () => webIdentityEnv(),
    expect: { code: 6, line: new RegExp(`^STS answered AssumeRoleWithWebIdentity ${esc(GITHUB_ROLE)} with an HTML page \\(HTTP 502 text/html\\)`) },
  },
  {
    name: "AssumeRoleWithWebIdentity answered with expired credentials: exit 6",
    faults: { stsFault: "expired-credentials" },
    args: ["--source", "web-identity"],
    env: () => webIdentityEnv(),
    expect: { code: 6, line: new RegExp(`^STS answered AssumeRoleWithWebIdentity ${esc(GITHUB_ROLE)} with credentials that had already expired at `) },
  },
];

/** Run one row: a sandbox of its own (rows run concurrently), a fresh HOME, the built CLI. */
async function run(row: Row): Promise<void> {
  const sb = await startSandbox({ faults: row.faults ?? {} });
  try {
    const home = mkdtempSync(join(tmpdir(), "assume-role-fault-"));
    const env = { ...sb.env(), HOME: home, AWS_MAX_ATTEMPTS: "1", AWS_METADATA_SERVICE_TIMEOUT: "3", ...row.env?.(sb) };
    const r = await runCli(row.args ?? [HOP1], env);
    const cached = cacheEntries(home);
    if (row.expect === "ok") {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='ASIA/m);
      expect(cached).toHaveLength(row.args?.length ?? 1);
    } else {
      const [first, ...rest] = r.stderr.replace(/\n$/, "").split("\n");
      expect(first).toMatch(/^assume-role: /);
      expect(first!.slice("assume-role: ".length)).toMatch(row.expect.line);
      for (const line of rest) expect(line).toMatch(/^ {2}\S/);
      if (row.expect.hint) {
        expect(rest[0]).toMatch(/^ {2}hint: /);
        expect(rest.join("\n")).toMatch(row.expect.hint);
      }
      expect(r.stderr).not.toMatch(/this is a bug|Deserialization error|\$response/);
      expect(r.code).toBe(row.expect.code);
      expect(r.stdout).toBe("");
      expect(cached).toEqual([]);
    }
    row.saw?.(sb);
  } finally {
    await sb.close();
  }
}

function cacheEntries(home: string): string[] {
  try {
    return readdirSync(join(home, ".cache", "assume-role")).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
}

describe.concurrent("IMDS faults", () => {
  it.each(IMDS.map((row) => [row.name, row] as const))("%s", async (_name, row) => run(row));
});

describe.concurrent("STS faults", () => {
  it.each(STS.map((row) => [row.name, row] as const))("%s", async (_name, row) => run(row));
});
