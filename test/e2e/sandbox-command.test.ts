import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";

describe("assume-role sandbox", () => {
  it("prints sh lines pointing AWS tools at it, serves a chain, and stops cleanly on SIGINT", async () => {
    const child = spawn(process.execPath, [BIN, "sandbox"], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    while (!/AWS_ENDPOINT_URL_STS=.*\n/.test(stdout)) {
      const [chunk] = (await once(child.stdout, "data")) as [string];
      stdout += chunk;
    }
    const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(vars).sort()).toEqual(["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_REGION"]);
    expect(vars.AWS_EC2_METADATA_SERVICE_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const r = await runCli(["whoami", "ExampleAssumedRole"], vars);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/i-0123456789abcdef0\n");

    child.kill("SIGINT");
    const [code] = await once(child, "close");
    expect(code).toBe(0);
  });

  it("refuses a world file that does not parse: exit 2, one line naming the file and the rule", async () => {
    const r = await runCli(["sandbox", "--world", "test/fixtures/worlds/nope.json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: --world test\/fixtures\/worlds\/nope\.json: cannot read the world file \(ENOENT\)\n$/);
  });

  it("loads a world file", async () => {
    const child = spawn(process.execPath, [BIN, "sandbox", "--world", "test/fixtures/worlds/two-accounts.json"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [chunk] = (await once(child.stdout, "data")) as [Buffer];
    expect(chunk.toString()).toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    child.kill("SIGTERM");
    expect((await once(child, "close"))[0]).toBe(0);
  });

  it("fault knobs from the command line: the start-up line names them, clients and the CLI meet them", async () => {
    const args = ["sandbox", "--latency", "300ms", "--sts-fault", "html-502", "--imds-token-unanswered"];
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      while (!/stop with Ctrl-C\n/.test(stderr)) await once(child.stderr, "data");
      expect(stderr).toMatch(/; faults: --latency 300ms --sts-fault html-502 --imds-token-unanswered; stop with Ctrl-C\n$/);
      const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
      const imds = vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;

      // --latency: every answer waits; --imds-token-unanswered: the token PUT never answers.
      const started = Date.now();
      expect((await fetch(`${imds}/latest/meta-data/instance-id`)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      const put = fetch(`${imds}/latest/api/token`, { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" }, signal: AbortSignal.timeout(1000) });
      await expect(put).rejects.toMatchObject({ name: "TimeoutError" });
      // --sts-fault html-502: a proxy's page instead of STS.
      const sts = await fetch(vars.AWS_ENDPOINT_URL_STS!, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" });
      expect([sts.status, sts.headers.get("content-type")]).toEqual([502, "text/html"]);

      // The CLI against it: v1 fallback after the unanswered PUT, then STS's HTML page is exit 6.
      const r = await runCli(["arn:aws:iam::123456789012:role/ExampleAssumedRole"], { ...vars, AWS_MAX_ATTEMPTS: "1", AWS_METADATA_SERVICE_TIMEOUT: "1" });
      expect(r.code).toBe(6);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toMatch(/^assume-role: STS answered AssumeRole \S+ with an HTML page \(HTTP 502 text\/html\), not an STS answer$/);
    } finally {
      child.kill("SIGTERM");
      await once(child, "close");
    }
  }, 30_000);

  it("--help lists every fault knob", async () => {
    const r = await runCli(["sandbox", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--latency <time>",
      "--sts-throttle-first <n>",
      "--sts-5xx-first <n>",
      "--sts-fault <kind>",
      "--sts-session-seconds <n>",
      "--imds-v1-only",
      "--imds-v2-required",
      "--imds-token-unanswered",
      "--imds-down",
      "--imds-401-after <n>",
      "--imds-fault <kind>",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain(
      "--sts-fault <kind> answer every later STS request with a fault: reset, hang, truncated, no-credentials, html-502, expired-credentials, expired-token, region-disabled --",
    );
    expect(help).toContain("--imds-fault <kind> IMDS answers with a fault: garbage, code-not-success, expired, html -");
  });

  it.each([
    [["--latency", "20x"], "--latency '20x': expected a time like 20ms or 1.5s (at most 10 minutes)"],
    [["--latency", "11m"], "--latency '11m': expected a time like 20ms or 1.5s (at most 10 minutes)"],
    [["--sts-throttle-first", "-1"], "--sts-throttle-first '-1': expected a whole number"],
    [["--sts-5xx-first", "two"], "--sts-5xx-first 'two': expected a whole number"],
    [["--imds-401-after", "0"], "--imds-401-after '0': expected a whole number of at least 1"],
    [["--sts-session-seconds", "1.5"], "--sts-session-seconds '1.5': expected a whole number of at least 1"],
    [["--sts-fault", "teapot"], "--sts-fault 'teapot': expected one of reset, hang, truncated, no-credentials, html-502, expired-credentials, expired-token, region-disabled"],
    [["--imds-fault", "none"], "--imds-fault 'none': expected one of garbage, code-not-success, expired, html"],
  ])("refuses %j: exit 2, one line, nothing on stdout, no server started", async (flags, line) => {
    const r = await runCli(["sandbox", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`assume-role: ${line}\n`);
  });
});
