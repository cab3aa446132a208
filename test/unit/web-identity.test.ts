import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AccessDeniedError, ConfigError, NoCredentialsError, UsageError } from "../../src/errors.js";
import { buildPlan, type PlanInput } from "../../src/plan/build-plan.js";
import type { SourcePlan } from "../../src/types.js";
import { ciSessionName, detectCi } from "../../src/ci-identity.js";
import { SourceSkipped } from "../../src/sources/source-skipped.js";
import { resolveConfig, webIdentitySource, type WebIdentityDeps, type WebIdentityPlan } from "../../src/sources/web-identity-source.js";
import { githubIdToken } from "../../src/sources/web-identity-token.js";
import type { AssumeRoleWithWebIdentityInput, StsApi, StsConfig } from "../../src/sts/sts-api.js";
import { GITHUB_ROLE, GITHUB_SUB, mintToken } from "../fixtures/oidc/mint-token.js";

const ROLE = GITHUB_ROLE;
const plan = (extra: Partial<WebIdentityPlan> = {}): WebIdentityPlan => ({ kind: "web-identity", ...extra });

/** A fake STS recording what the source asked for; `fail` makes the call throw an SDK-shaped error. */
function fakeSts(fail?: { name: string; message: string; status: number }) {
  const calls: Array<{ config: StsConfig; input: AssumeRoleWithWebIdentityInput }> = [];
  const factory = (config: StsConfig): StsApi => ({
    assumeRole: () => Promise.reject(new Error("unexpected AssumeRole")),
    getCallerIdentity: () => Promise.reject(new Error("unexpected GetCallerIdentity")),
    getSessionToken: () => Promise.reject(new Error("unexpected GetSessionToken")),
    assumeRoleWithWebIdentity: async (input) => {
      calls.push({ config, input });
      if (fail) throw Object.assign(new Error(fail.message), { name: fail.name, $metadata: { httpStatusCode: fail.status } });
      return {
        credentials: { accessKeyId: "ASIAWEBIDENTITY", secretAccessKey: "s", sessionToken: "t", expiration: new Date("2030-01-01T00:00:00Z") },
        assumedRoleArn: `arn:aws:sts::123456789012:assumed-role/GitHubDeploy/${input.roleSessionName}`,
      };
    },
  });
  return { calls, factory };
}

function deps(env: Record<string, string>, extra: Partial<WebIdentityDeps> = {}) {
  const protectedSecrets: string[] = [];
  const sts = fakeSts();
  const d: WebIdentityDeps = {
    env,
    readFile: (p) => import("node:fs/promises").then((fs) => fs.readFile(p, "utf8")),
    fetch: () => Promise.reject(new Error("no network in this test")),
    protectSecret: (s) => protectedSecrets.push(s),
    debug: () => {},
    sts: sts.factory,
    user: "ci",
    host: "runner-1",
    now: () => new Date("2026-11-21T07:30:00Z"),
    region: "us-east-1",
    ...extra,
  };
  return { d, calls: sts.calls, protectedSecrets };
}

async function tokenFile(token = mintToken()): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "assume-role-wi-")), "token");
  await writeFile(path, `${token}\n`);
  return path;
}

describe("CI run identity", () => {
  it.each([
    [{ GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "9876543210", GITHUB_RUN_ATTEMPT: "2", GITHUB_REPOSITORY: "example/app" }, "gh-9876543210-2-app"],
    [{ GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "42" }, "gh-42-1"],
    [{ GITHUB_ACTIONS: "true" }, undefined],
    [{ GITLAB_CI: "true", CI_PIPELINE_ID: "123456", CI_JOB_ID: "7890123", CI_PROJECT_NAME: "my app" }, "gl-123456-7890123-my-app"],
    [{ GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "1", GITHUB_REPOSITORY: `o/${"r".repeat(100)}` }, `gh-1-1-${"r".repeat(57)}`],
    [{ CI: "true" }, undefined],
    [{}, undefined],
  ])("%j → %s", (env, name) => {
    expect(ciSessionName(env)).toBe(name);
  });

  it("detects the CI", () => {
    expect(detectCi({ GITHUB_ACTIONS: "true" })).toBe("github");
    expect(detectCi({ GITLAB_CI: "true" })).toBe("gitlab");
    expect(detectCi({ CI: "true" })).toBeUndefined();
  });
});

describe("web identity configuration", () => {
  it.each([
    [{}, "AWS_WEB_IDENTITY_TOKEN_FILE is not set"],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }, "AWS_ROLE_ARN is not set"],
    [{ ACTIONS_ID_TOKEN_REQUEST_URL: "http://x", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "b" }, "AWS_ROLE_ARN is not set"],
    [{ AWS_ROLE_ARN: ROLE, ACTIONS_ID_TOKEN_REQUEST_URL: "http://x" }, "AWS_WEB_IDENTITY_TOKEN_FILE is not set"],
  ])("auto skips %j", (env, reason) => {
    expect(() => resolveConfig(undefined, env)).toThrow(SourceSkipped);
    expect(() => resolveConfig(undefined, env)).toThrow(reason);
  });

  it("auto: token file + role, or GitHub's OIDC variables + role", () => {
    expect(resolveConfig(undefined, { AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: ROLE })).toEqual({
      roleArn: ROLE,
      token: { kind: "file", path: "/t" },
      origin: "token file /t (AWS_WEB_IDENTITY_TOKEN_FILE)",
    });
    const gh = { ACTIONS_ID_TOKEN_REQUEST_URL: "http://x", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "b", AWS_ROLE_ARN: ROLE };
    expect(resolveConfig(undefined, gh).token).toEqual({ kind: "github" });
    expect(resolveConfig(undefined, { ...gh, AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }).token).toEqual({ kind: "file", path: "/t" });
  });

  it("asked for by name: a NoCredentialsError with a hint, GitHub's permission when in GitHub Actions", () => {
    const err = (() => {
      try {
        resolveConfig(plan({ roleArn: ROLE }), { GITHUB_ACTIONS: "true" });
      } catch (e) {
        return e as NoCredentialsError;
      }
      throw new Error("expected a failure");
    })();
    expect(err).toBeInstanceOf(NoCredentialsError);
    expect(err.hint).toContain("permissions: id-token: write");
    expect(() => resolveConfig(plan({ token: { kind: "env", name: "T" } }), {})).toThrow("AWS_ROLE_ARN is not set");
    expect(() => resolveConfig(plan({ token: { kind: "env", name: "T" } }), { AWS_ROLE_ARN: "Deploy" })).toThrow(ConfigError);
  });
});

describe("buildPlan with --source web-identity", () => {
  const base = { env: {}, source: "web-identity" };
  it("without AWS_ROLE_ARN the first ROLE is the web identity role, the rest are hops", () => {
    const p = buildPlan({ ...base, roles: [ROLE, "DeployTarget"], webIdentityTokenFile: "/t", duration: "2h", sessionName: "ci-{time}" });
    expect(p.source).toEqual({ kind: "web-identity", roleArn: ROLE, token: { kind: "file", path: "/t" }, sessionName: "ci-{time}", duration: 7200 });
    expect(p.hops.map((h) => h.role)).toEqual([{ kind: "name", name: "DeployTarget" }]);
  });

  it("with AWS_ROLE_ARN every ROLE is chained after it", () => {
    const p = buildPlan({ ...base, env: { AWS_ROLE_ARN: ROLE }, roles: ["arn:aws:iam::123456789012:role/DeployTarget"], webIdentityTokenEnv: "CI_JOB_JWT_V2" });
    expect(p.source).toMatchObject({ kind: "web-identity", token: { kind: "env", name: "CI_JOB_JWT_V2" } });
    expect(p.source).not.toHaveProperty("roleArn", expect.anything());
    expect(p.hops).toHaveLength(1);
  });

  it("a token flag under auto means web identity", () => {
    expect(buildPlan({ env: {}, roles: [ROLE], webIdentityTokenFile: "/t" }).source.kind).toBe("web-identity");
  });

  it.each([
    [{ roles: [] }, "set AWS_ROLE_ARN, or give its ARN as the first ROLE"],
    [{ roles: ["GitHubDeploy"] }, "must be a full role ARN"],
    [{ roles: [ROLE], webIdentityTokenFile: "/t", webIdentityTokenEnv: "T" }, "choose one"],
    [{ roles: [ROLE], webIdentityTokenEnv: "NOT-A-NAME" }, "not an environment variable name"],
    [{ roles: [ROLE], webIdentityTokenFile: "/t", source: "imds" }, "apply to --source web-identity only"],
  ])("usage errors: %j", (input, message) => {
    expect(() => buildPlan({ ...base, ...input })).toThrow(UsageError);
    expect(() => buildPlan({ ...base, ...input })).toThrow(message);
  });
});

describe("webIdentitySource", () => {
  it("assumes the role unsigned with the token read from the file, every time (the file rotates)", async () => {
    const first = mintToken({ sub: "repo:example/app:ref:refs/heads/a" });
    const path = await tokenFile(first);
    const { d, calls, protectedSecrets } = deps({ AWS_WEB_IDENTITY_TOKEN_FILE: path, AWS_ROLE_ARN: ROLE });
    const result = await webIdentitySource(undefined, d);
    const second = mintToken({ sub: "repo:example/app:ref:refs/heads/b" });
    await writeFile(path, second);
    const again = await webIdentitySource(undefined, d);
    expect(calls.map((c) => c.input.webIdentityToken)).toEqual([first, second]);
    expect(calls[0]!.config.credentials).toBeUndefined();
    expect(calls[0]!.input).toMatchObject({ roleArn: ROLE, roleSessionName: "ci@runner-1", durationSeconds: 3600 });
    expect(result).toMatchObject({
      kind: "web-identity",
      callerArn: "arn:aws:sts::123456789012:assumed-role/GitHubDeploy/ci@runner-1",
      accountId: "123456789012",
      partition: "aws",
    });
    expect(again.kind).toBe("web-identity");
    expect(protectedSecrets).toEqual([first, second]);
  });

  /** What the plan decides for web identity (source, session name, duration, region), then the source runs it. */
  const planned = (env: Record<string, string>, flags: Partial<PlanInput> = {}) => {
    const p = buildPlan({ roles: [], env, ...flags });
    const region = p.region.kind === "imds" ? p.region.fallback : p.region.region;
    return { source: p.source as Extract<SourcePlan, { kind: "web-identity" }>, region };
  };

  it("session name (decided by the plan): its template, else AWS_ROLE_SESSION_NAME, else the CI run, else {user}@{host}", async () => {
    const path = await tokenFile();
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: path, AWS_ROLE_ARN: ROLE };
    const gitlab = { GITLAB_CI: "true", CI_PIPELINE_ID: "5", CI_JOB_ID: "6" };
    const names: string[] = [];
    for (const [vars, flags] of [
      [{ ...gitlab, AWS_ROLE_SESSION_NAME: "ignored" }, { sessionName: "deploy-{role}-{time}" }],
      [{ ...gitlab, AWS_ROLE_SESSION_NAME: "from-env" }, {}],
      [gitlab, {}],
      [{}, {}],
    ] as const) {
      const { source, region } = planned({ ...env, ...vars }, flags);
      const { d, calls } = deps({ ...env, ...vars }, { region });
      await webIdentitySource(source, d);
      names.push(calls[0]!.input.roleSessionName);
    }
    expect(names).toEqual(["deploy-GitHubDeploy-20261121T073000Z", "from-env", "gl-5-6", "ci@runner-1"]);
    expect(() => planned({ ...env, AWS_ROLE_SESSION_NAME: "has space" })).toThrow(ConfigError);
  });

  it("takes the token from an environment variable (GitLab id_tokens) and --duration up to 12 h (not chaining)", async () => {
    const token = mintToken();
    const { d, calls } = deps({ CI_JOB_JWT_V2: token });
    await webIdentitySource(plan({ roleArn: ROLE, token: { kind: "env", name: "CI_JOB_JWT_V2" }, duration: "max" }), d);
    expect(calls[0]!.input).toMatchObject({ webIdentityToken: token, durationSeconds: 43200 });
  });

  it.each([
    [{ kind: "env", name: "MISSING" } as const, {}, "environment variable MISSING is not set"],
    [{ kind: "env", name: "EMPTY" } as const, { EMPTY: " " }, "environment variable EMPTY: it is empty"],
    [{ kind: "file", path: "/nonexistent/token" } as const, {}, "token file /nonexistent/token cannot be read (ENOENT)"],
  ])("a configured but broken token: %j → exit 3 naming it", async (token, env, message) => {
    const { d, calls } = deps(env);
    const err = await webIdentitySource(plan({ roleArn: ROLE, token }), d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoCredentialsError);
    expect((err as NoCredentialsError).message).toContain(message);
    expect(calls).toHaveLength(0);
  });

  it("STS region (decided by the plan): --region, else AWS_REGION, else the web identity role's partition default", async () => {
    const path = await tokenFile();
    const cn = "arn:aws-cn:iam::123456789012:role/R";
    const regions: string[] = [];
    for (const [env, region] of [[{}, undefined], [{ AWS_REGION: "eu-west-1" }, undefined], [{}, "ap-south-1"]] as const) {
      const vars = { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: path, AWS_ROLE_ARN: cn };
      const p = planned(vars, { region });
      const { d, calls } = deps(vars, { region: p.region, stsEndpoint: "http://127.0.0.1:1" });
      await webIdentitySource(p.source, d);
      regions.push(calls[0]!.config.region);
      expect(calls[0]!.config.endpoint).toBe("http://127.0.0.1:1");
    }
    expect(regions).toEqual(["cn-north-1", "eu-west-1", "ap-south-1"]);
  });

  it.each([
    ["AccessDenied", 403, AccessDeniedError, ["oidc-provider/token.actions.githubusercontent.com", "token.actions.githubusercontent.com:sub", GITHUB_SUB]],
    ["InvalidIdentityTokenException", 400, NoCredentialsError, ["needs an IAM OIDC provider for the token's issuer https://token.actions.githubusercontent.com"]],
    ["ExpiredTokenException", 400, NoCredentialsError, ["renew it before its exp"]],
    ["IDPRejectedClaimException", 403, NoCredentialsError, ["clock"]],
  ])("maps %s to what the user must fix, without the token", async (name, status, type, hints) => {
    const token = mintToken();
    const path = await tokenFile(token);
    const sts = fakeSts({ name, message: "from STS", status });
    const { d } = deps({ AWS_WEB_IDENTITY_TOKEN_FILE: path, AWS_ROLE_ARN: ROLE }, { sts: sts.factory });
    const err = (await webIdentitySource(undefined, d).catch((e: unknown) => e)) as AccessDeniedError;
    expect(err).toBeInstanceOf(type);
    for (const h of hints) expect(`${err.message}\n${err.hint}`).toContain(h);
    expect(`${err.message}\n${err.hint}`).not.toContain(token);
  });
});

describe("GitHub Actions ID token request", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function stub(answers: Array<[number, string]>) {
    const seen: IncomingMessage[] = [];
    server = createServer((req, res) => {
      seen.push(req);
      const [status, body] = answers.shift() ?? [500, ""];
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/idtoken?api-version=2.0`, seen };
  }

  const tokenDeps = (url: string, sleeps: number[] = []) => ({
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-bearer" },
    readFile: () => Promise.reject(new Error("no files")),
    fetch: globalThis.fetch,
    protectSecret: () => {},
    debug: () => {},
    sleep: async (ms: number) => void sleeps.push(ms),
  });

  it("asks for audience sts.amazonaws.com with the bearer token, keeping the URL's own query", async () => {
    const { url, seen } = await stub([[200, JSON.stringify({ value: "jwt-from-github", count: 1 })]]);
    expect(await githubIdToken(tokenDeps(url))).toBe("jwt-from-github");
    const u = new URL(seen[0]!.url!, "http://x");
    expect(u.searchParams.get("audience")).toBe("sts.amazonaws.com");
    expect(u.searchParams.get("api-version")).toBe("2.0");
    expect(seen[0]!.headers.authorization).toBe("bearer request-bearer");
  });

  it("retries 5xx (1 s, 2 s apart), fails at once on 403 with the permission hint", async () => {
    const sleeps: number[] = [];
    const { url } = await stub([[502, ""], [503, ""], [200, JSON.stringify({ value: "late" })]]);
    expect(await githubIdToken(tokenDeps(url, sleeps))).toBe("late");
    expect(sleeps).toEqual([1000, 2000]);
    await new Promise<void>((r) => server!.close(() => r()));
    const denied = await stub([[403, JSON.stringify({ message: "no" })]]);
    const err = (await githubIdToken(tokenDeps(denied.url)).catch((e: unknown) => e)) as NoCredentialsError;
    expect(err).toBeInstanceOf(NoCredentialsError);
    expect(err.message).toContain("HTTP 403");
    expect(err.hint).toContain("id-token: write");
    expect(denied.seen).toHaveLength(1);
  });

  it("refuses an answer without a value", async () => {
    const { url } = await stub([[200, "{}"]]);
    await expect(githubIdToken(tokenDeps(url))).rejects.toThrow('without a token (no "value")');
  });
});
