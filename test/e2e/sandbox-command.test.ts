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
    expect(Object.keys(vars).sort()).toEqual(["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_STS", "AWS_REGION"]);
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
});
