import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll } from "vitest";
import { NO_FAULTS, startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";

/** One sandbox per test file; faults, counts and request records are reset after each test. */
export function useSandbox(opts: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(opts);
  });
  afterEach(() => {
    sandbox?.setFaults(NO_FAULTS);
    sandbox?.resetCounts();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => {
    if (!sandbox) throw new Error("sandbox not started");
    return sandbox;
  };
}

/** A fresh sandbox per test (for tests that change the world or the clock); closed after each test. */
export function useFreshSandboxes(): (opts?: SandboxOptions) => Promise<Sandbox> {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return async (opts = {}) => {
    await sandbox?.close();
    sandbox = await startSandbox(opts);
    return sandbox;
  };
}

/**
 * Who exported credentials are: a GetCallerIdentity signed with them by the JS SDK in the test process
 * (not by the CLI), against the sandbox's STS. `vars` are environment variables as a shell left them.
 */
export async function identityOf(sandbox: Sandbox, vars: Record<string, string | undefined>): Promise<string | undefined> {
  const client = new STSClient({
    region: vars.AWS_REGION ?? "us-east-1",
    endpoint: sandbox.stsEndpoint,
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY!, sessionToken: vars.AWS_SESSION_TOKEN },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}
