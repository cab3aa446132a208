import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLOSED_IMDS, runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const sandbox = useSandbox();
const A = "123456789012";
const ASSUMED = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const INSTANCE_SESSION = `arn:aws:sts::${A}:assumed-role/ExampleRole/i-0123456789abcdef0`;
const AUTH = "container-auth-token-0123456789";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/**
 * A loopback container-credentials endpoint serving the sandbox's instance-role credentials (so STS
 * knows them) to requests with the right Authorization value, as ECS / EKS Pod Identity agents do.
 */
async function endpoint() {
  const seen: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.headers.authorization !== AUTH) {
      return void res.writeHead(403, { "content-type": "application/json" }).end('{"Code":"AccessDenied","Message":"invalid token"}');
    }
    const c = sandbox().instanceCredentials()!;
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: c.secretAccessKey,
        Token: c.sessionToken,
        Expiration: c.expiration.toISOString(),
        RoleArn: `arn:aws:iam::${A}:role/ExampleRole`,
      }),
    );
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/credentials/task-id?x=1`, seen };
}

/** STS of the sandbox; IMDS closed, so only the container endpoint can supply credentials. */
const stsEnv = () => ({ AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint, AWS_REGION: "us-east-1", AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS });

describe("container credentials", () => {
  it.each([["--source container", ["--source", "container"]], ["auto", []]])(
    "%s: the endpoint's credentials sign the first hop; a bare ROLE takes the account of the endpoint's RoleArn",
    async (_name, flags) => {
      const { uri, seen } = await endpoint();
      const env = { ...stsEnv(), AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: AUTH };
      const r = await runCli([...flags, "ExampleAssumedRole"], env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(seen).toHaveLength(1);
      const hops = sandbox().requests.filter((q) => q.action === "AssumeRole");
      expect(hops.map((h) => [h.params.RoleArn, h.callerArn, h.status])).toEqual([[ASSUMED, INSTANCE_SESSION, 200]]);
    },
  );

  it("reads the token file on every run (rotation) and refuses one ending in a newline with exit 8", async () => {
    const { uri, seen } = await endpoint();
    const file = join(await mkdtemp(join(tmpdir(), "assume-role-ecs-")), "token");
    const env = { ...stsEnv(), AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file, AWS_CONTAINER_AUTHORIZATION_TOKEN: "ignored" };
    await writeFile(file, AUTH);
    expect((await runCli(["--source", "container", ASSUMED], env)).code).toBe(0);
    await writeFile(file, "rotated-away");
    const refused = await runCli(["--source", "container", ASSUMED], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("HTTP 403: AccessDenied: invalid token");
    expect(refused.stderr).not.toContain("x=1");
    await writeFile(file, `${AUTH}\n`);
    const newline = await runCli(["--source", "container", ASSUMED], env);
    expect(newline.code).toBe(8);
    expect(newline.stderr).toContain("CR or LF");
    expect(newline.stderr).not.toContain(AUTH);
    expect(seen.map((h) => h.authorization)).toEqual([AUTH, "rotated-away"]);
  });

  it("--source container with nothing set: exit 3 naming the variables", async () => {
    const r = await runCli(["--source", "container", ASSUMED], stsEnv());
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
  });
});
