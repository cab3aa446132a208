/**
 * Interop: independent IMDS clients, unmodified and told only what `serve --imds` prints, get the chain's
 * credentials from it: botocore (through a shell that `eval`s the lines, as a user does) and the JS SDK's
 * fromInstanceMetadata (@smithy/credential-provider-imds, the package behind @aws-sdk's IMDS provider).
 */
import { afterEach, describe, expect, it } from "vitest";
import { cleanEnv, shQuote, spawnCollect } from "../helpers/cli.js";
import { identityOf, useSandbox } from "../helpers/sandbox.js";
import { killServing, startServeImds } from "../helpers/serve-imds.js";
import { bash, callerIdentityCommand, pythonBoto, reportSkip, type Tool } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const sandbox = useSandbox();
afterEach(killServing);

const python = pythonBoto();
const skipBotocore = reportSkip(python);

/** The JS SDK's IMDS provider, resolvable from this project. */
function jsImdsProvider(): Tool {
  try {
    const path = import.meta.resolve("@smithy/credential-provider-imds");
    return { ok: true, detail: path };
  } catch (err) {
    return { ok: false, detail: `@smithy/credential-provider-imds not available: ${(err as Error).message}` };
  }
}
const js = jsImdsProvider();
const skipJs = reportSkip(js);

/** A child node process that calls fromInstanceMetadata() with the environment it is given and prints what it got. */
const JS_CLIENT = `
import { fromInstanceMetadata } from "@smithy/credential-provider-imds";
const c = await fromInstanceMetadata({ timeout: 5000 })();
process.stdout.write(JSON.stringify({ ...c, expiration: c.expiration?.toISOString() }));
`;

describe(`botocore uses serve --imds as its instance metadata (${python.detail})`, () => {
  it.skipIf(skipBotocore)("after eval of the printed lines, botocore's default chain finds the credentials through IMDS (method iam-role) as the chain's last role", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1, HOP2], sandbox().env());
    // A shell with stale settings that would win over IMDS; the eval clears them.
    const script = [
      "export AWS_ACCESS_KEY_ID=stale AWS_SECRET_ACCESS_KEY=stale AWS_PROFILE=nonexistent AWS_EC2_METADATA_DISABLED=true",
      `eval ${shQuote(serving.stdout)}`,
      callerIdentityCommand(),
    ].join("\n");
    sandbox().resetCounts();
    const r = await bash(script, cleanEnv({ AWS_ENDPOINT_URL_STS: sandbox().stsEndpoint }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ Arn: FINAL_ARN, Account: "222222222222", method: "iam-role", region: "us-east-1" });
    // botocore's call was signed with the served session (no new AssumeRole: the endpoint served what it had).
    const calls = sandbox().requests;
    expect(calls.map((q) => [q.action, q.callerArn, q.status])).toEqual([["GetCallerIdentity", FINAL_ARN, 200]]);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
  });
});

describe(`the JS SDK's fromInstanceMetadata uses serve --imds (${js.detail})`, () => {
  it.skipIf(skipJs)("told only AWS_EC2_METADATA_SERVICE_ENDPOINT, it gets the chain's last role's credentials and their expiry", async () => {
    const serving = await startServeImds(["--source", "imds", HOP1, HOP2], sandbox().env());
    const r = await spawnCollect(process.execPath, ["--input-type=module", "-e", JS_CLIENT], cleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: serving.url }));
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(c.accessKeyId).toMatch(/^ASIA/);
    expect(Date.parse(c.expiration) - Date.now()).toBeGreaterThan(50 * 60 * 1000);
    const arn = await identityOf(sandbox(), { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken });
    expect(arn).toBe(FINAL_ARN);
    expect(await serving.stop()).toEqual({ code: 0, signal: null });
  });
});
