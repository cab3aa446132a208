/**
 * `assume-role serve --imds`: the built CLI answers as an EC2 metadata service (IMDSv2) for the chain's
 * final role, against the sandbox. What is checked is what a client of IMDS observes: the variables
 * printed, the documents served, the protocol's refusals, and credentials that change before they expire.
 * (botocore and the JS SDK as clients: test/interop/serve-imds.test.ts.)
 */
import { request } from "node:http";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, bashEnvAfter, cleanEnv, freePort, runCli, shQuote, spawnCollect } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { imdsGet, imdsToken, killServing, startServeImds } from "../helpers/serve-imds.js";

const A = "123456789012";
const HOP1 = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
/** The sandbox instance's ID: the session name of hops whose source is the sandbox's IMDS. */
const SANDBOX_INSTANCE = "i-0123456789abcdef0";
const HOP1_SESSION = `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${SANDBOX_INSTANCE}`;
const CREDENTIALS = "latest/meta-data/iam/security-credentials/";
const sandbox = useSandbox();

afterEach(killServing);

/** The sandbox (IMDS and STS) as the source of the chain that serve --imds runs. */
const sourceEnv = () => sandbox().env();

/** Who `c` (a credentials document served by serve --imds) is, asked of the sandbox's STS by the JS SDK. */
async function identity(c: Record<string, string>): Promise<string | undefined> {
  const sts = new STSClient({
    region: "us-east-1",
    endpoint: sandbox().stsEndpoint,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.Token! },
  });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
}

async function credentialsDocument(url: string, role: string): Promise<Record<string, string>> {
  const got = await imdsGet(url, CREDENTIALS + role, await imdsToken(url));
  expect(got.status).toBe(200);
  return JSON.parse(got.body) as Record<string, string>;
}

describe("serve --imds: what it prints", () => {
  it("prints the IMDS endpoint and clears what SDKs try before IMDS; our own CLI, told only that, takes the served role as its source", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1], sourceEnv());
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const stale = "export AWS_ACCESS_KEY_ID=stale AWS_SECRET_ACCESS_KEY=stale AWS_PROFILE=stale AWS_EC2_METADATA_DISABLED=true AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/x";
    const vars = await bashEnvAfter(`${stale}\neval ${shQuote(serving.stdout)}`, cleanEnv());
    expect(vars.AWS_EC2_METADATA_SERVICE_ENDPOINT).toBe(serving.url);
    expect([vars.AWS_ACCESS_KEY_ID, vars.AWS_PROFILE, vars.AWS_EC2_METADATA_DISABLED, vars.AWS_CONTAINER_CREDENTIALS_FULL_URI]).toEqual([undefined, undefined, undefined, undefined]);
    expect([vars.AWS_REGION, vars.AWS_DEFAULT_REGION, vars.ASSUME_ROLE_ARN]).toEqual(["us-east-1", "us-east-1", HOP1]);

    // The user's flow: eval the lines in a shell that had stale settings, then run assume-role with no --source.
    const instanceId = (await imdsGet(serving.url, "latest/meta-data/instance-id", await imdsToken(serving.url))).body;
    const script = `${stale}\neval ${shQuote(serving.stdout)}\n${[process.execPath, BIN, "whoami", HOP2].map(shQuote).join(" ")}`;
    sandbox().resetCounts();
    const r = await spawnCollect("bash", ["-c", script], cleanEnv({ AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint }));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    // The next hop was asked for by the served role, with the served instance ID as its session name.
    expect(r.stdout).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${instanceId}\n`);
    const hop = sandbox().requests.filter((q) => q.action === "AssumeRole");
    expect(hop.map((q) => [q.params.RoleArn, q.params.RoleSessionName, q.callerArn, q.status])).toEqual([[HOP2, instanceId, HOP1_SESSION, 200]]);

    expect(await serving.stop()).toEqual({ code: 0, signal: null });
    expect(serving.stderr()).toBe("");
  });

  it("other formats carry the same endpoint (dotenv: NAME=value lines)", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1, "-f", "dotenv"], sourceEnv(), /ASSUME_ROLE_ARN=.*\n$/);
    expect(serving.stdout).toMatch(/^AWS_EC2_METADATA_SERVICE_ENDPOINT=http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(serving.stdout).not.toMatch(/^export |AWS_CONTAINER_CREDENTIALS_FULL_URI/m);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
  });

  it("a chain with no role cannot be served as an instance's role (exit 2, nothing on stdout)", async () => {
    const r = await runCli(["serve", "--imds", "--source", "imds"], sourceEnv());
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe(
      "assume-role: serve --imds: the chain has no role, and a metadata service serves a role's credentials under its name\n" +
        "  hint: name a ROLE to assume (or a --profile with role_arn)\n",
    );
  });

  it("a chain failure ends it before it serves (exit 4, nothing on stdout)", async () => {
    const r = await runCli(["serve", "--imds", "--source", "imds", "arn:aws:iam::222222222222:role/AliceOnlyRole"], sourceEnv());
    expect([r.code, r.stdout]).toEqual([4, ""]);
  });
});

describe("serve --imds: the instance it describes", () => {
  it("serves the final role as the instance profile's, its credentials as IMDS words them, a fake but stable instance ID and the chain's region", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1, HOP2], sourceEnv());
    const url = serving.url;
    const token = await imdsToken(url);
    const get = async (path: string) => {
      const r = await imdsGet(url, path, token);
      expect(r.status, path).toBe(200);
      return r.body;
    };
    expect(await get("latest/meta-data/")).toBe("iam/\ninstance-id\nplacement/");
    expect(await get("latest/meta-data/iam/")).toBe("info\nsecurity-credentials/");
    expect(await get(CREDENTIALS)).toBe("CrossAccountRole");
    expect(await get("latest/meta-data/placement/")).toBe("region");
    expect(await get("latest/meta-data/placement/region")).toBe("us-east-1");
    const info = JSON.parse(await get("latest/meta-data/iam/info")) as Record<string, string>;
    expect(info).toEqual({ Code: "Success", LastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), InstanceProfileArn: "arn:aws:iam::222222222222:instance-profile/CrossAccountRole" });
    const instanceId = await get("latest/meta-data/instance-id");
    expect(instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(instanceId).not.toBe(SANDBOX_INSTANCE);

    const doc = await credentialsDocument(url, "CrossAccountRole");
    expect(Object.keys(doc)).toEqual(["Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]);
    expect([doc.Code, doc.Type, doc.AccessKeyId?.slice(0, 4)]).toEqual(["Success", "AWS-HMAC", "ASIA"]);
    expect(doc.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(doc.Expiration!) - Date.parse(doc.LastUpdated!)).toBeGreaterThan(3500_000);
    expect(await identity(doc)).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${SANDBOX_INSTANCE}`);
    // GETs echo the session token's remaining life, as IMDS does.
    expect(Number((await imdsGet(url, "latest/meta-data/instance-id", token)).headers.get("x-aws-ec2-metadata-token-ttl-seconds"))).toBeGreaterThan(50);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });

    // Stable: the same role served again has the same instance ID; another role, another ID. The region is the chain's.
    const again = await startServeImds(["--source", "imds", HOP1, HOP2], sourceEnv());
    expect((await imdsGet(again.url, "latest/meta-data/instance-id", await imdsToken(again.url))).body).toBe(instanceId);
    await again.stop();
    const other = await startServeImds(["--source", "imds", "--region", "eu-west-1", HOP1], sourceEnv());
    const otherToken = await imdsToken(other.url);
    expect((await imdsGet(other.url, "latest/meta-data/instance-id", otherToken)).body).not.toBe(instanceId);
    expect((await imdsGet(other.url, "latest/meta-data/placement/region", otherToken)).body).toBe("eu-west-1");
    expect((await imdsGet(other.url, CREDENTIALS, otherToken)).body).toBe("ExampleAssumedRole");
    expect(other.stdout).toContain("export AWS_REGION='eu-west-1'\n");
    await other.stop();
  });
});

describe("serve --imds: the IMDSv2 protocol", () => {
  it("refuses what IMDSv2 refuses: no or unknown token 401, bad TTL 400, X-Forwarded-For on the PUT 403, unknown paths 404, other methods 405", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1], sourceEnv());
    const url = serving.url;
    const put = (headers: Record<string, string>, method = "PUT") => fetch(new URL("latest/api/token", url), { method, headers }).then(async (r) => [r.status, await r.text()] as const);
    const ttl = (value: string) => ({ "x-aws-ec2-metadata-token-ttl-seconds": value });

    // Without a valid token nothing is served, whatever the path.
    for (const path of [CREDENTIALS, `${CREDENTIALS}ExampleAssumedRole`, "latest/meta-data/instance-id", "latest/nothing"]) {
      for (const token of [undefined, "", "not-a-token"]) {
        const r = await imdsGet(url, path, token);
        expect([path, token, r.status]).toEqual([path, token, 401]);
        expect(r.body).not.toMatch(/ASIA|AccessKeyId|ExampleAssumedRole/);
      }
    }
    // The TTL: a whole number of seconds from 1 to 21600.
    for (const bad of [{}, ttl(""), ttl("0"), ttl("21601"), ttl("-1"), ttl("1.5"), ttl("abc"), ttl("60s")]) expect((await put(bad))[0]).toBe(400);
    for (const good of ["1", "21600"]) expect((await put(ttl(good)))[0]).toBe(200);
    // A PUT that came through a proxy gets no token.
    const forwarded = await put({ ...ttl("60"), "x-forwarded-for": "127.0.0.1" });
    expect(forwarded[0]).toBe(403);
    expect(forwarded[1]).not.toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await put(ttl("60"), "GET"))[0]).toBe(405);

    const token = await imdsToken(url);
    expect((await imdsGet(url, "latest/meta-data/nothing", token)).status).toBe(404);
    expect((await imdsGet(url, `${CREDENTIALS}SomeOtherRole`, token)).status).toBe(404);
    expect((await fetch(new URL(CREDENTIALS, url), { method: "POST", headers: { "x-aws-ec2-metadata-token": token } })).status).toBe(405);

    // A token expires after its TTL: 401, and a new token works.
    const short = await imdsToken(url, 1);
    expect((await imdsGet(url, CREDENTIALS, short)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await imdsGet(url, CREDENTIALS, short)).status).toBe(401);
    expect((await imdsGet(url, CREDENTIALS, await imdsToken(url))).body).toBe("ExampleAssumedRole");

    expect(await serving.stop()).toEqual({ code: 0, signal: null });
    expect(serving.stderr()).toBe("");
  });
});

/** A request to `url` with exactly these headers (fetch cannot set Host): status and body. */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("serve --imds: web pages (DNS rebinding)", () => {
  it("a request whose Host is not the bound address, or that carries an Origin, gets 403 and neither a token nor credentials", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1], sourceEnv());
    const url = serving.url;
    const own = new URL(url).host;
    const port = new URL(url).port;
    const token = await imdsToken(url);
    const put = (headers: Record<string, string>) => rawRequest(url, "PUT", "latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": "60", ...headers });
    const get = (headers: Record<string, string>) => rawRequest(url, "GET", `${CREDENTIALS}ExampleAssumedRole`, { "x-aws-ec2-metadata-token": token, ...headers });

    // A page on evil.example, which resolves to 127.0.0.1, sends its own name as Host (and an Origin on a PUT).
    for (const headers of [{ host: "evil.example" }, { host: `evil.example:${port}` }, { host: own, origin: "http://evil.example" }, { host: own, origin: "null" }] as Record<string, string>[]) {
      const p = await put(headers);
      const g = await get(headers);
      expect([headers, p.status, g.status]).toEqual([headers, 403, 403]);
      expect(p.body).not.toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(g.body).not.toMatch(/ASIA|AccessKeyId/);
    }
    // The address it printed, and localhost (loopback), are answered.
    for (const host of [own, `localhost:${port}`]) {
      expect((await put({ host })).body).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.parse((await get({ host })).body)).toMatchObject({ Code: "Success", AccessKeyId: expect.stringMatching(/^ASIA/) });
    }
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
    expect(serving.stderr()).toBe("");
  });
});

describe("serve --imds: renewal", () => {
  it("with sessions that last 6 seconds, the served credentials change before the old ones expire, and each set works", async () => {
    sandbox().setFaults({ stsSessionSeconds: 6 });
    const serving = await startServeImds(["--source", "imds", HOP1, HOP2], sourceEnv());
    const seen: Array<{ doc: Record<string, string>; firstSeenMs: number }> = [];
    const deadline = Date.now() + 30_000;
    while (seen.length < 3 && Date.now() < deadline) {
      const doc = await credentialsDocument(serving.url, "CrossAccountRole");
      if (seen.at(-1)?.doc.AccessKeyId !== doc.AccessKeyId) {
        seen.push({ doc, firstSeenMs: Date.now() });
        // Served credentials work when served (the sandbox refuses expired ones).
        expect(await identity(doc)).toBe(`arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${SANDBOX_INSTANCE}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(seen.length, "distinct credentials served within 30 s").toBe(3);
    for (let i = 1; i < seen.length; i++) {
      // Expiration has whole seconds: the new set appeared before the old one's (rounded-down) expiry.
      expect(seen[i]!.firstSeenMs).toBeLessThan(Date.parse(seen[i - 1]!.doc.Expiration!));
      expect(Date.parse(seen[i]!.doc.Expiration!)).toBeGreaterThan(Date.parse(seen[i - 1]!.doc.Expiration!));
    }
    // The first set really expired since: STS refuses it now, so serving the same one would have failed clients.
    await expect(identity(seen[0]!.doc)).rejects.toThrow(/expired/i);
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole" && q.params.RoleArn === HOP2).length).toBeGreaterThanOrEqual(3);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
    expect(serving.stderr()).toBe("");
  }, 60_000);
  it("a failed renewal is one coloured warning line on stderr, even with -q, while the old credentials are served", async () => {
    sandbox().setFaults({ stsSessionSeconds: 6 });
    const serving = await startServeImds(["-q", "--source", "imds", HOP1], { ...sourceEnv(), FORCE_COLOR: "1" });
    const first = await credentialsDocument(serving.url, "ExampleAssumedRole");
    sandbox().setFaults({ stsSessionSeconds: 6, stsFault: "region-disabled" });
    // Renewal is on demand (inside the last third of the 6 s): ask until the failed renewal is reported.
    let served = first;
    const deadline = Date.now() + 10_000;
    while (!serving.stderr().includes("\n") && Date.now() < deadline) {
      served = await credentialsDocument(serving.url, "ExampleAssumedRole");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const [line, ...rest] = serving.stderr().split("\n");
    expect(line).toMatch(/^\x1b\[33massume-role: serve --imds: could not renew the credentials \(serving the old ones while valid\): STS is not activated in this region for AssumeRole arn:aws:iam::123456789012:role\/ExampleAssumedRole\x1b\[39m$/);
    expect(rest).toEqual([""]);
    expect(served.AccessKeyId).toBe(first.AccessKeyId);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe("serve --imds: where it listens", () => {
  it("--port: listens on that port; a port already taken is refused before the chain runs (exit 2)", async () => {
    const port = await freePort();
    const serving = await startServeImds(["--source", "imds", "--port", String(port), HOP1], sourceEnv());
    expect(serving.url).toBe(`http://127.0.0.1:${port}/`);
    sandbox().resetCounts();
    const taken = await runCli(["serve", "--imds", "--source", "imds", "--port", String(port), HOP1], sourceEnv());
    expect([taken.code, taken.stdout]).toEqual([2, ""]);
    expect(taken.stderr).toBe(`assume-role: --port ${port}: 127.0.0.1:${port} is already in use\n  hint: pick a free port, or leave --port out for a random one\n`);
    expect(sandbox().requests).toEqual([]);
    await serving.stop();
  });

  it("--host: any loopback address, IPv6 too, without a warning", async () => {
    for (const [host, shown] of [["127.0.0.2", "127.0.0.2"], ["::1", "[::1]"]] as const) {
      const serving = await startServeImds(["--source", "imds", "--host", host, HOP1], sourceEnv());
      expect(serving.url).toMatch(new RegExp(`^http://${shown.replace(/[.[\]]/g, "\\$&")}:\\d+/$`));
      expect((await imdsGet(serving.url, CREDENTIALS, await imdsToken(serving.url))).body).toBe("ExampleAssumedRole");
      expect(await serving.stop()).toEqual({ code: 0, signal: null });
      expect(serving.stderr()).toBe("");
    }
  });

  it("--host that is not loopback: a warning that anyone who can reach it gets the credentials, even with -q (shown by a dry run: tests bind loopback only)", async () => {
    const warning = "assume-role: warning: serve --imds --host 172.17.0.1 is not loopback: anyone who can reach that address gets the credentials it serves\n";
    const r = await runCli(["serve", "--imds", "--dry-run", "--host", "172.17.0.1", "--port", "8080", HOP1], sourceEnv());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(warning);
    expect(r.stdout).toMatch(/^then: serve the final role's credentials as an EC2 metadata service \(IMDSv2\) on 172\.17\.0\.1:8080, /m);
    expect(sandbox().requests).toEqual([]);
    // -q does not silence it: it says who else gets the credentials.
    const quiet = await runCli(["serve", "--imds", "--dry-run", "-q", "--host", "172.17.0.1", HOP1], sourceEnv());
    expect([quiet.code, quiet.stderr]).toEqual([0, warning]);
  });

  it("--host 0.0.0.0 or :: (every address) is refused before the chain runs, with a hint to name one address (exit 2)", async () => {
    for (const host of ["0.0.0.0", "::"]) {
      const r = await runCli(["serve", "--imds", "--source", "imds", "--host", host, HOP1], sourceEnv());
      expect([r.code, r.stdout]).toEqual([2, ""]);
      expect(r.stderr).toBe(
        `assume-role: --host '${host}': listens on every address of this machine, so every network it is on would get the credentials\n` +
          "  hint: name one address, e.g. the docker bridge's 172.17.0.1 (ip -4 addr show docker0), or leave --host out for 127.0.0.1\n",
      );
    }
    expect(sandbox().requests).toEqual([]);
  });

  it("--host that is no address of this machine is refused before the chain runs (binding it sends nothing)", async () => {
    const r = await runCli(["serve", "--imds", "--host", "192.0.2.1", HOP1], sourceEnv());
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr.split("\n").filter((l) => !l.includes("warning: serve --imds --host"))).toEqual(["assume-role: --host '192.0.2.1': not an address of this machine", ""]);
    expect(sandbox().requests).toEqual([]);
  });
});
