/**
 * Interop with moto_server, an independent STS/IAM emulator, started with auth enforcement
 * (INITIAL_NO_AUTH_ACTION_COUNT = the number of setup calls, so setup runs unauthenticated and every
 * later request is checked). The CLI starts from an IAM user's long-term keys (--source env) and
 * chains A -> B; botocore then checks, against moto, who the exported credentials are.
 *
 * What moto 5.2.1 enforces, found by experiment (and by reading moto/iam/access_control.py):
 * - SigV4: a wrong secret key -> SignatureDoesNotMatch; an unknown access key or a wrong session
 *   token -> InvalidClientTokenId.
 * - Identity policies of the caller (user inline/attached/group policies; for a role session, the
 *   role's inline/attached policies): sts:AssumeRole needs an Allow on the role ARN; explicit Deny wins.
 *   sts:GetCallerIdentity is always allowed.
 * - Trust policies, partly: a statement's Principal.AWS is compared literally with the caller's ARN
 *   ("*" matches all). A user ARN matches that user; a role ARN does NOT match sessions of that role
 *   (AWS would allow them), so role B trusts the exact session ARN assumed-role/A/interop (valid on
 *   AWS too). An account root principal would match nothing. A statement whose principal does not
 *   match denies.
 * - Trust conditions: only StringEquals on sts:ExternalId. A wrong ExternalId is denied; a MISSING
 *   one passes (moto skips the condition when the request has no value), so no test relies on that.
 * - Not enforced: session duration limits, the 1-hour cap on role chaining, MFA conditions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "../helpers/cli.js";
import {
  bash,
  callerIdentityCommand,
  evalLine,
  moto,
  motoSetup,
  motoSetupCallCount,
  reportSkip,
  startMoto,
  type MotoServer,
  type MotoWorld,
} from "../fixtures/interop/tools.js";

const tool = moto();
const skip = reportSkip(tool);

let server: MotoServer | undefined;
let world: MotoWorld | undefined;

beforeAll(async () => {
  if (skip) return;
  server = await startMoto(motoSetupCallCount());
  world = await motoSetup(server.url);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

function w(): MotoWorld {
  if (!world) throw new Error("moto world not set up");
  return world;
}

/**
 * The user's keys in the environment, STS at moto, us-east-1 (AWS_DEFAULT_REGION too: botocore 1.43
 * does not read AWS_REGION); IMDS stays on a closed loopback port (cleanEnv).
 */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: w().accessKeyId,
    AWS_SECRET_ACCESS_KEY: w().secretAccessKey,
    AWS_ENDPOINT_URL_STS: server!.url,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    ...extra,
  });
}

/** Run the CLI from the user's keys with a fixed session name (role B's trust policy names it). */
function assumeFromUser(roles: readonly string[], extra: readonly string[] = []) {
  return runCli(["--source", "env", "-n", w().session, ...roles, ...extra], userEnv());
}

function expectDenied(r: { code: number | null; stdout: string; stderr: string }): void {
  expect(r.code).toBe(4);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^assume-role: access denied: .*\n {2}hint: /);
}

describe(`assume-role against moto_server with auth enforcement (${tool.detail})`, () => {
  it.skipIf(skip)("precondition: after setup moto checks signatures (the user's keys work, a wrong secret does not)", async () => {
    const ok = await bash(callerIdentityCommand(), userEnv());
    expect(ok.stderr).toBe("");
    expect(JSON.parse(ok.stdout).Arn).toBe(w().userArn);
    const bad = await bash(callerIdentityCommand(), userEnv({ AWS_SECRET_ACCESS_KEY: "wrong-secret" }));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("SignatureDoesNotMatch");
  });

  it.skipIf(skip)("chains A -> B from the user's keys; botocore sees the exported credentials as assumed-role/B", async () => {
    const script = [evalLine(["--source", "env", "-n", w().session, w().roles.A, w().roles.B]), callerIdentityCommand()].join("\n");
    const r = await bash(script, userEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      Arn: `arn:aws:sts::123456789012:assumed-role/B/${w().session}`,
      Account: "123456789012",
      method: "env",
      region: "us-east-1",
    });
  });

  it.skipIf(skip)("bare role names are completed with the account moto reports for the user's keys", async () => {
    const script = [evalLine(["--source", "env", "-n", w().session, "A", "B"]), 'printf "%s\\n" "$ASSUME_ROLE_ARN"', callerIdentityCommand()].join("\n");
    const r = await bash(script, userEnv());
    expect(r.stderr).toBe("");
    const [marker, identity] = r.stdout.split("\n");
    expect(marker).toBe(w().roles.B);
    expect(JSON.parse(identity!).Arn).toBe(`arn:aws:sts::123456789012:assumed-role/B/${w().session}`);
  });

  it.skipIf(skip)("source keys moto rejects (wrong secret): exit 3, nothing on stdout", async () => {
    const r = await runCli(["--source", "env", w().roles.A], userEnv({ AWS_SECRET_ACCESS_KEY: "wrong-secret" }));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: .*SignatureDoesNotMatch.*\n {2}hint: /);
  });

  it.skipIf(skip)("a role the user's identity policy does not allow: exit 4, nothing on stdout", async () => {
    expectDenied(await assumeFromUser([w().roles.C]));
  });

  it.skipIf(skip)("a role whose trust policy does not name the user: exit 4, nothing on stdout", async () => {
    expectDenied(await assumeFromUser([w().roles.D]));
  });

  it.skipIf(skip)("a denied second hop prints nothing, not even the first hop's credentials", async () => {
    // A may assume C by its policy, but C trusts only alice.
    expectDenied(await assumeFromUser([w().roles.A, w().roles.C]));
  });

  it.skipIf(skip)("--external-id reaches the last hop: the right one is accepted, a wrong one denied", async () => {
    expectDenied(await assumeFromUser([w().roles.A, w().roles.E], ["--external-id", "wrong-external-id"]));
    const script = [
      evalLine(["--source", "env", "-n", w().session, w().roles.A, w().roles.E, "--external-id", w().externalId]),
      callerIdentityCommand(),
    ].join("\n");
    const r = await bash(script, userEnv());
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).Arn).toBe(`arn:aws:sts::123456789012:assumed-role/E/${w().session}`);
  });
});
