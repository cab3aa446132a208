/**
 * `assume-role serve`: the built CLI prints the variables of a loopback container-credentials endpoint,
 * serves the chain's credentials there (token required), and stops cleanly on SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, bashEnvAfter, cleanEnv, ROOT, runCli, shQuote } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const sandbox = useSandbox();

interface Serving {
  readonly child: ChildProcess;
  readonly stdout: string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Start `assume-role serve ARGS`; resolve once its output is complete (`done` matches it: the sh form ends with `unset …`). */
function startServe(args: string[], env: Record<string, string> = {}, done = /^unset .*\n$/m): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", ...args], { env: cleanEnv({ ...sandbox().env(), ...env }), cwd: ROOT, detached: true });
    running.push(child);
    let stdout = "";
    let stderr = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on("close", (code, signal) => res({ code, signal })),
    );
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (done.test(stdout)) resolve({ child, stdout, stderr: () => stderr, exited });
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    void exited.then(({ code }) => reject(new Error(`serve exited ${code} before printing: ${stderr}`)));
  });
}

async function variables(serving: Serving): Promise<Record<string, string | undefined>> {
  return bashEnvAfter(`export AWS_ACCESS_KEY_ID=stale AWS_PROFILE=stale\neval ${shQuote(serving.stdout)}`, cleanEnv());
}

describe("serve", () => {
  it("prints the endpoint and its token, clears what would win over them, and serves the chain's credentials", async () => {
    const serving = await startServe(["--source", "imds", HOP1, HOP2]);
    const vars = await variables(serving);
    const uri = vars.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
    const token = vars.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
    expect(uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/); // 32+ random bytes, base64url: never a CR or LF
    expect(vars.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(vars.AWS_PROFILE).toBeUndefined();
    expect([vars.AWS_REGION, vars.ASSUME_ROLE_ARN]).toEqual(["us-east-1", HOP2]);

    const res = await fetch(uri, { headers: { authorization: token } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]);
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: sandbox().stsEndpoint,
      credentials: { accessKeyId: body.AccessKeyId!, secretAccessKey: body.SecretAccessKey!, sessionToken: body.Token! },
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(FINAL_ARN);

    // A second request within the window gets the same session: no new AssumeRole.
    const before = sandbox().counts.sts.AssumeRole;
    const again = (await (await fetch(uri, { headers: { authorization: token } })).json()) as Record<string, string>;
    expect(again.AccessKeyId).toBe(body.AccessKeyId);
    expect(sandbox().counts.sts.AssumeRole).toBe(before);

    serving.child.kill("SIGTERM");
    expect(await serving.exited).toEqual({ code: 0, signal: null });
    expect(serving.stderr()).toBe("");
  });

  it("refuses every request without the exact token (403, JSON message), whatever the path or method", async () => {
    const serving = await startServe(["--source", "imds", HOP1]);
    const vars = await variables(serving);
    const uri = vars.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
    const token = vars.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
    const base = new URL(uri).origin;
    const refused = [
      await fetch(uri),
      await fetch(uri, { headers: { authorization: "" } }),
      await fetch(uri, { headers: { authorization: token.slice(0, -1) } }),
      await fetch(uri, { headers: { authorization: `${token}x` } }),
      await fetch(uri, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${base}/other`),
      await fetch(uri, { method: "POST", body: "x" }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: "missing or wrong Authorization token" });
    }
    // With the token: other paths and methods are told what is wrong, without credentials.
    expect((await fetch(`${base}/other`, { headers: { authorization: token } })).status).toBe(404);
    expect((await fetch(uri, { method: "POST", headers: { authorization: token } })).status).toBe(405);

    serving.child.kill("SIGINT");
    expect(await serving.exited).toEqual({ code: 0, signal: null });
  });

  it("other shell formats describe the same endpoint (fish: set -gx, and erasing what would win over it)", async () => {
    const serving = await startServe(["--source", "imds", HOP1, "-f", "fish"], {}, /ASSUME_ROLE_ACCESS_KEY_ID.*\n$/);
    expect(serving.stdout).toMatch(/^set -gx AWS_CONTAINER_CREDENTIALS_FULL_URI 'http:\/\/127\.0\.0\.1:\d+\/credentials';$/m);
    expect(serving.stdout).toMatch(/^set -gx AWS_CONTAINER_AUTHORIZATION_TOKEN '[A-Za-z0-9_-]{43}';$/m);
    expect(serving.stdout).toContain("set -e -g AWS_ACCESS_KEY_ID");
    serving.child.kill("SIGTERM");
    expect(await serving.exited).toEqual({ code: 0, signal: null });
  });

  it("long-term source keys with no ROLE cannot be served (exit 2, nothing on stdout)", async () => {
    const keys = sandbox().userKeys("alice");
    const r = await runCli(["serve", "--source", "env"], {
      ...sandbox().env(),
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toContain("serve: the source gave long-term keys");
    expect(r.stderr).toContain("hint: name a ROLE");
    expect(r.stderr).not.toContain(keys.secretAccessKey);
  });

  it("--format json is refused: the endpoint is described by variables", async () => {
    const r = await runCli(["serve", "--source", "imds", HOP1, "-f", "json"], sandbox().env());
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe("assume-role: option '-f, --format <format>' argument 'json' is invalid. Allowed choices are sh, bash, zsh, fish, nu, powershell, pwsh, cmd, dotenv.\n");
    expect(sandbox().counts.sts).toEqual({});
  });

  it("a chain failure ends serve before it listens (exit 4, nothing on stdout)", async () => {
    const r = await runCli(["serve", "--source", "imds", "arn:aws:iam::222222222222:role/AliceOnlyRole"], sandbox().env());
    expect([r.code, r.stdout]).toEqual([4, ""]);
  });
});
