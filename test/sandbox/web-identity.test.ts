import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleWithWebIdentityCommandInput,
} from "@aws-sdk/client-sts";
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD_JSON, parseWorld, WorldError, type Sandbox } from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, credsOf, failure, stsClient } from "../helpers/sandbox-clients.js";
import {
  DEPLOY_TARGET,
  GITHUB_ISSUER,
  GITHUB_ROLE,
  GITHUB_SUB,
  GITLAB_ISSUER,
  GITLAB_ROLE,
  GITLAB_SUB,
  mintToken,
} from "../fixtures/oidc/mint-token.js";

const A = "123456789012";
const start = useFreshSandboxes();

/** An unsigned client, as the SDKs call AssumeRoleWithWebIdentity. */
function anonymous(sb: Sandbox, clock?: TestClock): STSClient {
  return new STSClient({
    region: "us-east-1",
    endpoint: sb.stsEndpoint,
    credentials: { accessKeyId: "", secretAccessKey: "" },
    systemClockOffset: clock?.offsetMs ?? 0,
  });
}

const withToken = (sb: Sandbox, input: Partial<AssumeRoleWithWebIdentityCommandInput> & { WebIdentityToken: string }, clock?: TestClock) =>
  anonymous(sb, clock).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: GITHUB_ROLE, RoleSessionName: "gh-run-1", ...input }),
  );

describe("AssumeRoleWithWebIdentity: a valid token", () => {
  it("returns a role session with the token's subject, audience and provider, sent unsigned", async () => {
    const sb = await start();
    const out = await withToken(sb, { WebIdentityToken: mintToken() });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/GitHubDeploy/gh-run-1`);
    expect(out.SubjectFromWebIdentityToken).toBe(GITHUB_SUB);
    expect(out.Audience).toBe("sts.amazonaws.com");
    expect(out.Provider).toBe(GITHUB_ISSUER);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const who = await stsClient(sb, credsOf(out)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${A}:assumed-role/GitHubDeploy/gh-run-1`);
    const record = sb.requests[0]!;
    expect(record).toMatchObject({ action: "AssumeRoleWithWebIdentity", status: 200 });
    expect(record.accessKeyId).toBeUndefined();
    expect(record.params.WebIdentityToken).toBe("<redacted>");
    expect(record.webIdentity).toEqual({ issuer: GITHUB_ISSUER, subject: GITHUB_SUB, audience: ["sts.amazonaws.com"] });
  });

  it("is not role chaining (2 h on a role whose maximum is 2 h), but the next AssumeRole is (1-hour cap)", async () => {
    const sb = await start();
    const out = await withToken(sb, { WebIdentityToken: mintToken(), DurationSeconds: 7200 });
    const expiresIn = (out.Credentials!.Expiration!.getTime() - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(7100);
    const client = stsClient(sb, credsOf(out));
    const tooLong = await failure(client.send(new AssumeRoleCommand({ RoleArn: DEPLOY_TARGET, RoleSessionName: "hop", DurationSeconds: 7200 })));
    expect(tooLong.message).toContain("1 hour session limit for roles assumed by role chaining");
    const hop = await client.send(new AssumeRoleCommand({ RoleArn: DEPLOY_TARGET, RoleSessionName: "hop" }));
    expect(hop.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/DeployTarget/hop`);
    expect(sb.requests.at(-1)?.callerArn).toBe(`arn:aws:sts::${A}:assumed-role/GitHubDeploy/gh-run-1`);
  });

  it("refuses more than the role's MaxSessionDuration", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken(), DurationSeconds: 10800 }));
    expect([e.name, e.status]).toEqual(["ValidationError", 400]);
    expect(e.message).toBe("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  });

  it("accepts a GitLab token for the GitLab role", async () => {
    const sb = await start();
    const out = await withToken(sb, { RoleArn: GITLAB_ROLE, WebIdentityToken: mintToken({ issuer: GITLAB_ISSUER }) });
    expect(out.SubjectFromWebIdentityToken).toBe(GITLAB_SUB);
    expect(out.Provider).toBe(GITLAB_ISSUER);
  });
});

describe("AssumeRoleWithWebIdentity: refusals", () => {
  it("an expired token (on the sandbox clock): ExpiredTokenException, 400", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const token = mintToken({ expiresIn: 300 });
    clock.advance(301);
    const e = await failure(withToken(sb, { WebIdentityToken: token }, clock));
    expect([e.name, e.status]).toEqual(["ExpiredTokenException", 400]);
    expect(e.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  });

  it("a sub the trust policy does not allow: AccessDenied, 403", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken({ sub: "repo:someone-else/app:ref:refs/heads/main" }) }));
    expect([e.name, e.status, e.message]).toEqual(["AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"]);
    expect(sb.requests[0]?.webIdentity?.subject).toBe("repo:someone-else/app:ref:refs/heads/main");
  });

  it("an audience the provider does not list: InvalidIdentityToken 'Incorrect token audience'", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken({ aud: "https://github.com/example" }) }));
    expect([e.name, e.status, e.message]).toEqual(["InvalidIdentityTokenException", 400, "Incorrect token audience"]);
  });

  it("an audience the provider lists but the trust policy's aud condition does not allow: AccessDenied", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    json.oidcProviders["token.actions.githubusercontent.com"].clientIds = ["sts.amazonaws.com", "other-client"];
    const sb = await start({ world: parseWorld(json, "test") });
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken({ aud: "other-client" }) }));
    expect([e.name, e.status]).toEqual(["AccessDenied", 403]);
    const ok = await withToken(sb, { WebIdentityToken: mintToken({ aud: ["https://github.com/example", "sts.amazonaws.com"] }) });
    expect(ok.Audience).toBe("sts.amazonaws.com");
  });

  it("an issuer with no provider in the role's account: InvalidIdentityToken naming it", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken({ issuer: "https://oidc.unknown.example" }) }));
    expect([e.name, e.status]).toEqual(["InvalidIdentityTokenException", 400]);
    expect(e.message).toBe("No OpenIDConnect provider found in your account for https://oidc.unknown.example");
    const elsewhere = await failure(
      withToken(sb, { RoleArn: "arn:aws:iam::222222222222:role/CrossAccountRole", WebIdentityToken: mintToken() }),
    );
    expect(elsewhere.message).toBe(`No OpenIDConnect provider found in your account for ${GITHUB_ISSUER}`);
  });

  it("a token from the GitHub issuer for the GitLab role: the trust policy names another provider", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { RoleArn: GITLAB_ROLE, WebIdentityToken: mintToken() }));
    expect([e.name, e.status]).toEqual(["AccessDenied", 403]);
  });

  it.each([
    ["a wrong signature", () => mintToken({ secret: "not-the-providers-secret-at-all" })],
    ["alg none", () => mintToken({ alg: "none" })],
    ["not a JWT", () => "opaque-access-token"],
    ["no sub", () => mintToken({ extra: { sub: undefined } })],
  ])("%s: InvalidIdentityToken, 400", async (_name, token) => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: token() }));
    expect([e.name, e.status]).toEqual(["InvalidIdentityTokenException", 400]);
  });

  it("a token not valid yet: IDPRejectedClaim, 403", async () => {
    const sb = await start();
    const later = new Date(Date.now() + 3600_000);
    const e = await failure(withToken(sb, { WebIdentityToken: mintToken({ now: later }) }));
    expect([e.name, e.status]).toEqual(["IDPRejectedClaimException", 403]);
  });

  it("a token too short for the model: ValidationError that does not echo the token", async () => {
    const sb = await start();
    const e = await failure(withToken(sb, { WebIdentityToken: "abc" }));
    expect([e.name, e.status]).toEqual(["ValidationError", 400]);
    expect(e.message).toContain("webIdentityToken");
    expect(e.message).not.toContain("'abc'");
  });
});

describe("world files: oidcProviders", () => {
  const world = () => structuredClone(DEFAULT_WORLD_JSON) as any;

  it("parses the default providers with their issuers", () => {
    const parsed = parseWorld(world(), "w");
    expect(parsed.oidcProviders["token.actions.githubusercontent.com"]).toMatchObject({
      issuer: GITHUB_ISSUER,
      clientIds: ["sts.amazonaws.com"],
      accounts: [A],
    });
  });

  it.each([
    [(w: any) => (w.oidcProviders["gitlab.example.com"].accounts = ["333333333333"]), "333333333333 is not one of the accounts"],
    [(w: any) => (w.oidcProviders["https://x.example"] = w.oidcProviders["gitlab.example.com"]), "URL without https://"],
    [(w: any) => delete w.oidcProviders["gitlab.example.com"].clientIds, "clientIds is required"],
    [(w: any) => (w.oidcProviders["gitlab.example.com"].signingSecret = "short"), "signingSecret must be at least 16"],
    [(w: any) => (w.oidcProviders["gitlab.example.com"].jwks = {}), 'unknown field "jwks"'],
  ])("refuses a bad provider (%#)", (breakIt, message) => {
    const w = world();
    breakIt(w);
    expect(() => parseWorld(w, "w.json")).toThrow(WorldError);
    expect(() => parseWorld(w, "w.json")).toThrow(message);
  });

  it("a world without oidcProviders has none", () => {
    const w = world();
    delete w.oidcProviders;
    expect(parseWorld(w, "w").oidcProviders).toEqual({});
  });
});

const probe = spawnSync("python3", ["-c", "import botocore"], { encoding: "utf8" });
const noBotocore =
  probe.error !== undefined ? `python3 not runnable (${probe.error.message})` : probe.status !== 0 ? "python3 cannot import botocore" : undefined;
if (noBotocore !== undefined) console.log(`skipping the botocore web identity test: ${noBotocore}`);

describe("botocore interop", () => {
  it.skipIf(noBotocore !== undefined)("botocore's own web identity provider (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) gets a session", async () => {
    const sb = await start();
    const file = join(await mkdtemp(join(tmpdir(), "assume-role-boto-")), "token");
    await writeFile(file, mintToken());
    const script = [
      "import botocore.session, sys",
      "c = botocore.session.get_session().create_client('sts', region_name='us-east-1', endpoint_url=sys.argv[1])",
      "print(c.get_caller_identity()['Arn'])",
    ].join("\n");
    // Async child process: a synchronous one would block this event loop, and with it the sandbox.
    const { stdout } = await promisify(execFile)("python3", ["-c", script, sb.stsEndpoint], {
      timeout: 10_000,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: process.env["HOME"] ?? "/tmp",
        AWS_WEB_IDENTITY_TOKEN_FILE: file,
        AWS_ROLE_ARN: GITHUB_ROLE,
        AWS_ROLE_SESSION_NAME: "botocore",
        AWS_ENDPOINT_URL_STS: sb.stsEndpoint,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    expect(stdout.trim()).toBe(`arn:aws:sts::${A}:assumed-role/GitHubDeploy/botocore`);
    expect(sb.requests.map((r) => [r.action, r.status])).toEqual([
      ["AssumeRoleWithWebIdentity", 200],
      ["GetCallerIdentity", 200],
    ]);
  });
});
