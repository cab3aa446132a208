import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { instanceCreds } from "../helpers/sandbox-clients.js";

const probe = spawnSync("python3", ["-c", "import botocore"], { encoding: "utf8" });
const skipReason =
  probe.error !== undefined
    ? `python3 not runnable (${probe.error.message})`
    : probe.status !== 0
      ? `python3 cannot import botocore (${probe.stderr.trim().split("\n").at(-1) ?? "unknown error"})`
      : undefined;
if (skipReason !== undefined) console.log(`skipping botocore interop test: ${skipReason}`);

const SCRIPT = join(import.meta.dirname, "botocore_sts.py");

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("botocore interop", () => {
  it.skipIf(skipReason !== undefined)("accepts requests signed by botocore (any region in the scope)", async () => {
    const sb = (sandbox = await startSandbox());
    const creds = await instanceCreds(sb);
    // Async child process: a synchronous one would block this event loop, and with it the sandbox.
    const { stdout } = await promisify(execFile)("python3", [SCRIPT, sb.stsEndpoint, "eu-central-1"], {
      timeout: 10_000,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: process.env["HOME"] ?? "/tmp",
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_SESSION_TOKEN: creds.sessionToken ?? "",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    expect(JSON.parse(stdout)).toEqual({
      first: "arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0",
      second: "arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/botocore-interop",
      account: "123456789012",
    });
    expect(sb.requests.map((r) => [r.action, r.status])).toEqual([
      ["GetCallerIdentity", 200],
      ["AssumeRole", 200],
      ["GetCallerIdentity", 200],
    ]);
  });
});
