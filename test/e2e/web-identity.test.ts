import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLOSED_IMDS, runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import {
  DEPLOY_TARGET,
  GITHUB_ROLE,
  GITHUB_SUB,
  GITLAB_ISSUER,
  GITLAB_ROLE,
  GITLAB_SUB,
  mintToken,
} from "../fixtures/oidc/mint-token.js";

const sandbox = useSandbox();
const A = "123456789012";

/** STS only: IMDS points at a closed port, so nothing can come from the instance. */
const stsEnv = () => ({ AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint, AWS_REGION: "us-east-1", AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS });

async function tokenFile(token: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "assume-role-oidc-")), "token");
  await writeFile(path, token);
  return path;
}

async function identityOf(json: string): Promise<string | undefined> {
  const c = JSON.parse(json) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  const client = new STSClient({
    region: "us-east-1",
    endpoint: sandbox().stsEndpoint,
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

const calls = () => sandbox().requests.map((r) => [r.action, r.params.RoleArn, r.status]);

describe("--source web-identity with a token file", () => {
  it("AssumeRoleWithWebIdentity (unsigned) on the first ROLE, then a chained AssumeRole signed by it", async () => {
    const file = await tokenFile(mintToken());
    const r = await runCli(["--source", "web-identity", "--web-identity-token-file", file, GITHUB_ROLE, "DeployTarget", "-f", "json"], stsEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(calls()).toEqual([
      ["AssumeRoleWithWebIdentity", GITHUB_ROLE, 200],
      ["AssumeRole", DEPLOY_TARGET, 200],
    ]);
    const [web, hop] = sandbox().requests;
    expect(web!.accessKeyId).toBeUndefined();
    expect(web!.webIdentity?.subject).toBe(GITHUB_SUB);
    expect(hop!.callerArn).toBe(`arn:aws:sts::${A}:assumed-role/GitHubDeploy/${web!.params.RoleSessionName}`);
    expect(await identityOf(r.stdout)).toMatch(new RegExp(`^arn:aws:sts::${A}:assumed-role/DeployTarget/`));
  });

  it("the web identity hop is not chained (2 h allowed); the next hop is capped at 1 h with a warning", async () => {
    const file = await tokenFile(mintToken());
    const r = await runCli(["--source", "web-identity", "--web-identity-token-file", file, "-d", "2h", GITHUB_ROLE, DEPLOY_TARGET], stsEnv());
    expect(r.code).toBe(0);
    expect(sandbox().requests.map((q) => q.params.DurationSeconds)).toEqual(["7200", "3600"]);
    expect(r.stderr).toContain("lowered to 1h");
  });

  it("more than the role's MaxSessionDuration: exit 8 with STS's reason", async () => {
    const file = await tokenFile(mintToken());
    const r = await runCli(["--source", "web-identity", "--web-identity-token-file", file, "-d", "3h", GITHUB_ROLE], stsEnv());
    expect(r.code).toBe(8);
    expect(r.stderr).toContain("exceeds the MaxSessionDuration set for this role");
  });

  it("`auto` picks web identity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, before IMDS", async () => {
    const file = await tokenFile(mintToken());
    const env = { ...sandbox().env(), AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: GITHUB_ROLE, AWS_ROLE_SESSION_NAME: "eks-pod" };
    const r = await runCli([DEPLOY_TARGET, "-f", "json"], env);
    expect(r.code).toBe(0);
    expect(calls()).toEqual([
      ["AssumeRoleWithWebIdentity", GITHUB_ROLE, 200],
      ["AssumeRole", DEPLOY_TARGET, 200],
    ]);
    expect(sandbox().requests[0]!.params.RoleSessionName).toBe("eks-pod");
    expect(sandbox().counts.imds).toEqual({});
  });

  it("an expired token: exit 3 naming the file, a hint, and never the token (even with -v)", async () => {
    const token = mintToken({ now: new Date(Date.now() - 3600_000), expiresIn: 300 });
    const file = await tokenFile(token);
    const r = await runCli(["-v", "--source", "web-identity", "--web-identity-token-file", file, GITHUB_ROLE], stsEnv());
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`token file ${file} has expired`);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain(token);
    expect(r.stderr).not.toContain(token.split(".")[2]);
  });

  it("a subject the trust policy does not allow: exit 4, the hint names the provider and the conditions", async () => {
    const file = await tokenFile(mintToken({ sub: "repo:intruder/app:ref:refs/heads/main" }));
    const r = await runCli(["--source", "web-identity", "--web-identity-token-file", file, GITHUB_ROLE], stsEnv());
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`repo:intruder/app:ref:refs/heads/main`);
    expect(r.stderr).toContain(`"Federated": "arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com"`);
    expect(r.stderr).toContain(`"token.actions.githubusercontent.com:sub"`);
  });

  it("a bare name as the web identity role is a usage error (exit 2) before any call", async () => {
    const file = await tokenFile(mintToken());
    const r = await runCli(["--source", "web-identity", "--web-identity-token-file", file, "GitHubDeploy"], stsEnv());
    expect(r.code).toBe(2);
    expect(sandbox().requests).toEqual([]);
  });
});

describe("GitLab: --web-identity-token-env", () => {
  it("reads the id_tokens variable; the session is named after the pipeline and job; nothing prompts with CI=true", async () => {
    const env = {
      ...stsEnv(),
      CI: "true",
      GITLAB_CI: "true",
      CI_PIPELINE_ID: "4242",
      CI_JOB_ID: "777",
      CI_PROJECT_NAME: "app",
      CI_JOB_JWT_V2: mintToken({ issuer: GITLAB_ISSUER }),
    };
    const r = await runCli(["--source", "web-identity", "--web-identity-token-env", "CI_JOB_JWT_V2", GITLAB_ROLE, DEPLOY_TARGET, "-f", "json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const web = sandbox().requests[0]!;
    expect(web.params.RoleSessionName).toBe("gl-4242-777-app");
    expect(web.webIdentity?.subject).toBe(GITLAB_SUB);
    expect(await identityOf(r.stdout)).toMatch(/assumed-role\/DeployTarget\//);
  });

  it("the variable not set: exit 3 with the id_tokens hint", async () => {
    const r = await runCli(["--source", "web-identity", "--web-identity-token-env", "CI_JOB_JWT_V2", GITLAB_ROLE], stsEnv());
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("environment variable CI_JOB_JWT_V2 is not set");
    expect(r.stderr).toContain("id_tokens");
  });
});

describe("GitHub Actions OIDC", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A loopback stand-in for GitHub's ID-token endpoint: checks the bearer, returns a token for the audience asked. */
  async function idTokenEndpoint(sub = GITHUB_SUB) {
    const seen: Array<{ url: URL; headers: IncomingHttpHeaders }> = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://stub");
      seen.push({ url, headers: req.headers });
      if (req.headers.authorization !== "bearer gh-request-token") return void res.writeHead(401).end("{}");
      const aud = url.searchParams.get("audience") ?? "api://ActionsOIDC";
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ count: 1, value: mintToken({ aud, sub }) }));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_apis/pipelines/1/runs/2/idtoken?api-version=2.0`;
    return { url, seen };
  }

  const actionsEnv = (url: string) => ({
    ...stsEnv(),
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_ID: "9876543210",
    GITHUB_RUN_ATTEMPT: "3",
    GITHUB_REPOSITORY: "example/app",
    ACTIONS_ID_TOKEN_REQUEST_URL: url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token",
    AWS_ROLE_ARN: GITHUB_ROLE,
  });

  it.each([["--source web-identity", ["--source", "web-identity"]], ["auto", []]])(
    "%s: fetches the token for audience sts.amazonaws.com with the bearer; session gh-RUN-ATTEMPT-REPO",
    async (_name, flags) => {
      const { url, seen } = await idTokenEndpoint();
      const r = await runCli([...flags, DEPLOY_TARGET, "-f", "json"], actionsEnv(url));
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.url.searchParams.get("audience")).toBe("sts.amazonaws.com");
      expect(seen[0]!.url.searchParams.get("api-version")).toBe("2.0");
      expect(seen[0]!.headers.authorization).toBe("bearer gh-request-token");
      expect(calls()).toEqual([
        ["AssumeRoleWithWebIdentity", GITHUB_ROLE, 200],
        ["AssumeRole", DEPLOY_TARGET, 200],
      ]);
      expect(sandbox().requests[0]!.params.RoleSessionName).toBe("gh-9876543210-3-app");
      expect(await identityOf(r.stdout)).toMatch(/assumed-role\/DeployTarget\//);
    },
  );

  it("without `permissions: id-token: write` (no request variables): exit 3 saying so", async () => {
    const env = { ...stsEnv(), GITHUB_ACTIONS: "true", AWS_ROLE_ARN: GITHUB_ROLE };
    const r = await runCli(["--source", "web-identity"], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("id-token: write");
  });

  it("a workflow of another repository is refused by the trust policy: exit 4 with the GitHub sub hint", async () => {
    const { url } = await idTokenEndpoint("repo:other/app:ref:refs/heads/main");
    const r = await runCli(["--source", "web-identity"], actionsEnv(url));
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("repo:OWNER/REPO");
  });
});
