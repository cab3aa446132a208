/**
 * The sandbox's sts:GetSessionToken through the JS SDK: a user's MFA session, which later AssumeRole calls carry
 * as MFA context (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge) and which acts as the IAM user itself.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type GetSessionTokenCommandInput } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, credsOf, failure, instanceCreds, stsClient, type Creds } from "../helpers/sandbox-clients.js";

const A = "123456789012";
const SERIAL = `arn:aws:iam::${A}:mfa/alice`;
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const ASSUMED = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const ALICE = `arn:aws:iam::${A}:user/alice`;

const start = useFreshSandboxes();
const session = (sb: Sandbox, input: GetSessionTokenCommandInput, clock?: TestClock) =>
  stsClient(sb, sb.userKeys("alice"), clock ? { clock } : {}).send(new GetSessionTokenCommand(input));
const assume = (sb: Sandbox, creds: Creds, RoleArn: string, extra: { DurationSeconds?: number } = {}, clock?: TestClock) =>
  stsClient(sb, creds, clock ? { clock } : {}).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "s1", ...extra }));

describe("GetSessionToken", () => {
  it("with alice's device and code: 12 h by default; the session is alice (GetCallerIdentity) and opens MfaRole", async () => {
    const sb = await start();
    const out = await session(sb, { SerialNumber: SERIAL, TokenCode: "123456" });
    const creds = credsOf(out);
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(43_200_000 - 60_000);
    const me = await stsClient(sb, creds).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(ALICE);
    const role = await assume(sb, creds, MFA_ROLE);
    expect(role.AssumedRoleUser!.Arn).toBe("arn:aws:sts::222222222222:assumed-role/MfaRole/s1");
    expect(sb.requests.map((r) => [r.action, r.status, r.callerArn])).toEqual([
      ["GetSessionToken", 200, ALICE],
      ["GetCallerIdentity", 200, ALICE],
      ["AssumeRole", 200, ALICE],
    ]);
    expect(sb.requests[0]!.params).toEqual({ SerialNumber: SERIAL, TokenCode: "123456" });
  });

  it("the trust policy's MFA age applies: an MFA session older than an hour no longer opens MfaRole", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const creds = credsOf(await session(sb, { SerialNumber: SERIAL, TokenCode: "123456" }, clock));
    clock.advance(3601);
    const e = await failure(assume(sb, creds, MFA_ROLE, {}, clock));
    expect(e).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it("without MFA the session opens no MFA role (aws:MultiFactorAuthPresent is false)", async () => {
    const sb = await start();
    const creds = credsOf(await session(sb, {}));
    const e = await failure(assume(sb, creds, MFA_ROLE));
    expect(e).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it("a user session is capped like role chaining (as AWS is observed to do): above 1 h is the chaining error, 1 h is allowed", async () => {
    const sb = await start();
    const creds = credsOf(await session(sb, { SerialNumber: SERIAL, TokenCode: "123456" }));
    const e = await failure(assume(sb, creds, ASSUMED, { DurationSeconds: 3601 }));
    expect(e).toMatchObject({ name: "ValidationError", status: 400, message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining." });
    const out = await assume(sb, creds, ASSUMED, { DurationSeconds: 3600 });
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3_600_000 - 60_000);
    // The same role for 12 h with alice's long-term keys: the cap is the session's, not the role's.
    const direct = await assume(sb, sb.userKeys("alice"), ASSUMED, { DurationSeconds: 43_200 });
    expect(direct.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(43_200_000 - 60_000);
  });

  it.each([
    ["a wrong code", { SerialNumber: SERIAL, TokenCode: "654321" }, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."],
    ["a serial without a code", { SerialNumber: SERIAL }, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code."],
    ["another user's device", { SerialNumber: `arn:aws:iam::${A}:mfa/bob`, TokenCode: "123456" }, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code."],
    ["DurationSeconds 899", { DurationSeconds: 899 }, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ["DurationSeconds 129601", { DurationSeconds: 129_601 }, "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"],
    ["a 5-digit code", { SerialNumber: SERIAL, TokenCode: "12345" }, "ValidationError", "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"],
  ])("%s is refused", async (_, input, name, message) => {
    const sb = await start();
    const e = await failure(session(sb, input));
    expect(e).toMatchObject({ name, message });
  });

  it("36 h (129600 s) is the most an IAM user gets", async () => {
    const sb = await start();
    const out = await session(sb, { DurationSeconds: 129_600 });
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(129_600_000 - 60_000);
  });

  it("temporary credentials cannot call it: a role session, or a session from GetSessionToken itself", async () => {
    const sb = await start();
    const userSession = credsOf(await session(sb, { SerialNumber: SERIAL, TokenCode: "123456" }));
    for (const creds of [await instanceCreds(sb), userSession]) {
      const e = await failure(stsClient(sb, creds).send(new GetSessionTokenCommand({})));
      expect(e).toMatchObject({ name: "AccessDenied", message: "Cannot call GetSessionToken with session credentials" });
    }
  });

  it("an expired session is refused with ExpiredToken", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const creds = credsOf(await session(sb, { DurationSeconds: 900 }, clock));
    clock.advance(901);
    const e = await failure(stsClient(sb, creds, { clock }).send(new GetCallerIdentityCommand({})));
    expect(e).toMatchObject({ name: "ExpiredToken" });
  });
});
