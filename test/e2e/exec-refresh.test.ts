/**
 * Long jobs: `assume-role exec --refresh ROLE... -- JOB`. The job (an AWS SDK loop, no credentials in
 * code) finds the local container-credentials endpoint through its default chain and keeps making
 * signed calls while the sandbox expires every session after a few seconds (the stsSessionSeconds
 * fault), so the job crosses several real expiries in seconds; assume-role re-runs the chain before
 * each one.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { PYTHON, pythonBoto, reportSkip } from "../fixtures/interop/tools.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const FINAL_ARN = "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/i-0123456789abcdef0";
const FIXTURES = join(ROOT, "test/fixtures/exec");
/** Every session STS issues lives this long: the endpoint renews it when a third of it is left. */
const SESSION_SECONDS = 4;
const CALLS = "32";
const INTERVAL_MS = "250";
const sandbox = useSandbox();

interface LoopReport {
  calls: Array<{ arn?: string; error?: string }>;
  control: string;
  noToken?: number;
  wrongToken?: number;
  staticKeys: boolean;
  method?: string;
}

/** Run JOB under `exec --refresh`; check what every long-job run must show; return the figures. */
async function longJob(job: string[], label: string) {
  sandbox().setFaults({ stsSessionSeconds: SESSION_SECONDS });
  const r = await runCli(["exec", "--refresh", "--source", "imds", HOP1, HOP2, "--", ...job, CALLS, INTERVAL_MS], sandbox().env());
  expect(r.stderr.split("\n").filter((l) => l.startsWith("assume-role:"))).toEqual([]);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as LoopReport;

  // The job had no static keys: it used the endpoint.
  expect(report.staticKeys).toBe(false);
  // Every call succeeded, as the last role of the chain.
  expect(report.calls.filter((c) => c.error !== undefined)).toEqual([]);
  expect(report.calls.map((c) => c.arn)).toEqual(Array(Number(CALLS)).fill(FINAL_ARN));
  // The credentials the job started with really expired on the way: STS refuses them at the end.
  expect(report.control).toBe("ExpiredToken");

  // The signed calls the sandbox saw (the job's, then the control), and the sessions they used.
  const seen = sandbox().requests.filter((q) => q.action === "GetCallerIdentity");
  const calls = seen.slice(0, -1);
  expect(calls.map((c) => [c.status, c.callerArn])).toEqual(Array(Number(CALLS)).fill([200, FINAL_ARN]));
  expect([seen.at(-1)?.status, seen.at(-1)?.errorCode, seen.at(-1)?.accessKeyId]).toEqual([400, "ExpiredToken", calls[0]?.accessKeyId]);
  const keys = [...new Set(calls.map((c) => c.accessKeyId))];
  const lastHop = sandbox().requests.filter((q) => q.action === "AssumeRole" && q.params.RoleArn === HOP2);
  expect(lastHop.every((q) => q.status === 200)).toBe(true);
  // It refreshed: more than one AssumeRole for the last hop, and the calls moved on to new sessions.
  expect(lastHop.length).toBeGreaterThanOrEqual(3);
  expect(keys.length).toBeGreaterThanOrEqual(3);
  const figures = { calls: calls.length, lastHopAssumeRoles: lastHop.length, sessionsUsed: keys.length, expiriesCrossed: keys.length - 1 };
  console.log(`long job (${label}): ${JSON.stringify(figures)}, session lifetime ${SESSION_SECONDS} s`);
  return report;
}

describe("exec --refresh: a long job keeps working across forced expiries", () => {
  it("the AWS SDK for JavaScript v3 (default chain) in a loop", async () => {
    const report = await longJob([process.execPath, join(FIXTURES, "sdk-loop.mjs")], "JS SDK v3");
    // Requests to the endpoint without the token, or with a wrong one, are refused.
    expect([report.noToken, report.wrongToken]).toEqual([403, 403]);
  });

  const python = pythonBoto();
  it.skipIf(reportSkip(python))(`botocore (${python.detail}) in a loop`, async () => {
    const report = await longJob([PYTHON, join(FIXTURES, "botocore_loop.py")], "botocore");
    expect(report.method).toBe("container-role");
  });

  it("the child's environment: the endpoint and its token, no static credentials", async () => {
    const r = await runCli(
      ["exec", "--refresh", "--source", "imds", HOP1, "--", process.execPath, join(FIXTURES, "env-report.mjs")],
      { ...sandbox().env(), AWS_ACCESS_KEY_ID: "AKIASTALE", AWS_SECRET_ACCESS_KEY: "stale", AWS_PROFILE: "stale", AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/stale" },
    );
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const { env } = JSON.parse(r.stdout) as { env: Record<string, string> };
    expect(Object.keys(env).sort()).toEqual([
      "ASSUME_ROLE_ARN",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_DEFAULT_REGION",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "AWS_ENDPOINT_URL_IAM",
      "AWS_ENDPOINT_URL_STS",
      "AWS_REGION",
      "AWS_SHARED_CREDENTIALS_FILE",
    ]);
    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    expect(env.AWS_CONTAINER_AUTHORIZATION_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The endpoint is gone once the job has ended.
    await expect(fetch(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, { headers: { authorization: env.AWS_CONTAINER_AUTHORIZATION_TOKEN! } })).rejects.toThrow();
  });

  it("the exit status of the job passes through in --refresh mode too", async () => {
    const r = await runCli(["exec", "--refresh", "--source", "imds", HOP1, "--", process.execPath, "-e", "process.exit(5)"], sandbox().env());
    expect([r.code, r.stdout, r.stderr]).toEqual([5, "", ""]);
  });
});
