/**
 * The sandbox's console federation endpoint, driven with plain fetch and sessions from the JS SDK: what it
 * accepts (a live session it issued), what it refuses (wrong secret, expired, SessionDuration where AWS
 * refuses it, malformed Session), and the login that follows.
 */
import { AssumeRoleCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, credsOf, instanceCreds, stsClient, type Creds } from "../helpers/sandbox-clients.js";

const ASSUMED = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const CROSS = "arn:aws:iam::222222222222:role/CrossAccountRole";
const start = useFreshSandboxes();

async function assume(sb: Sandbox, caller: Creds, roleArn: string, clock?: TestClock): Promise<Creds> {
  const client = stsClient(sb, caller, clock ? { clock } : {});
  return credsOf(await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "console" })));
}

const aliceOf = (sb: Sandbox): Creds => sb.userKeys("alice");

function getSigninToken(sb: Sandbox, session: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const url = new URL(sb.federationEndpoint);
  url.searchParams.set("Action", "getSigninToken");
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  url.searchParams.set("Session", typeof session === "string" ? session : JSON.stringify(session));
  return fetch(url);
}

const sessionOf = (c: Creds) => ({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken });

describe("getSigninToken", () => {
  it("gives a token for a session it issued, and the login with it names that session", async () => {
    const sb = await start();
    const creds = await assume(sb, aliceOf(sb), ASSUMED);
    const res = await getSigninToken(sb, sessionOf(creds));
    expect(res.status).toBe(200);
    const { SigninToken } = (await res.json()) as { SigninToken: string };
    expect(SigninToken).toMatch(/^[\w-]{100,}$/);
    const login = new URL(sb.federationEndpoint);
    login.search = new URLSearchParams({ Action: "login", Issuer: "test", Destination: "https://console.aws.amazon.com/", SigninToken }).toString();
    const page = await fetch(login);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/console");
    expect(sb.federationRequests.map((r) => [r.action, r.status, r.sessionArn])).toEqual([
      ["getSigninToken", 200, "arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/console"],
      ["login", 200, "arn:aws:sts::123456789012:assumed-role/ExampleAssumedRole/console"],
    ]);
    // Nothing secret in the records.
    expect(JSON.stringify(sb.federationRequests)).not.toContain(creds.secretAccessKey);
    expect(JSON.stringify(sb.federationRequests)).not.toContain(creds.sessionToken!);
  });

  it("refuses a wrong secret, a wrong token, long-term keys, a malformed Session: 400", async () => {
    const sb = await start();
    const creds = await assume(sb, aliceOf(sb), ASSUMED);
    const alice = aliceOf(sb);
    const cases: unknown[] = [
      { ...sessionOf(creds), sessionKey: "x" + creds.secretAccessKey.slice(1) },
      { ...sessionOf(creds), sessionToken: "nope" },
      { sessionId: alice.accessKeyId, sessionKey: alice.secretAccessKey, sessionToken: "" },
      { sessionId: creds.accessKeyId },
      "not json",
    ];
    for (const session of cases) expect((await getSigninToken(sb, session)).status).toBe(400);
    expect(sb.federationRequests.every((r) => r.signinToken === undefined)).toBe(true);
  });

  it("refuses an expired session", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const creds = await assume(sb, aliceOf(sb), ASSUMED, clock);
    clock.advance(3601);
    const res = await getSigninToken(sb, sessionOf(creds));
    expect([res.status, await res.text()]).toEqual([400, "The session has expired\n"]);
  });

  it("SessionDuration: accepted for a session long-term keys asked for, refused for a chained, an instance or an MFA-session one", async () => {
    const sb = await start();
    const direct = await assume(sb, aliceOf(sb), ASSUMED);
    const chained = await assume(sb, direct, CROSS);
    const instance = await instanceCreds(sb);
    const mfaSession = credsOf(await stsClient(sb, aliceOf(sb)).send(new GetSessionTokenCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/alice", TokenCode: "123456" })));
    const fromMfaSession = await assume(sb, mfaSession, ASSUMED);
    expect((await getSigninToken(sb, sessionOf(direct), { SessionDuration: "43200" })).status).toBe(200);
    expect((await getSigninToken(sb, sessionOf(direct), { SessionDuration: "43201" })).status).toBe(400);
    expect((await getSigninToken(sb, sessionOf(direct), { SessionDuration: "899" })).status).toBe(400);
    expect((await getSigninToken(sb, sessionOf(chained), { SessionDuration: "3600" })).status).toBe(400);
    expect((await getSigninToken(sb, sessionOf(instance), { SessionDuration: "3600" })).status).toBe(400);
    const refused = await getSigninToken(sb, sessionOf(fromMfaSession), { SessionDuration: "3600" });
    expect([refused.status, await refused.text()]).toEqual([400, "SessionDuration is not allowed for a session not obtained with long-term credentials\n"]);
    // Without it, all sign in.
    expect((await getSigninToken(sb, sessionOf(chained))).status).toBe(200);
    expect((await getSigninToken(sb, sessionOf(instance))).status).toBe(200);
    expect((await getSigninToken(sb, sessionOf(fromMfaSession))).status).toBe(200);
  });
});

describe("login", () => {
  it("refuses an unknown token and one older than 15 minutes", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const creds = await assume(sb, aliceOf(sb), ASSUMED, clock);
    const { SigninToken } = (await (await getSigninToken(sb, sessionOf(creds))).json()) as { SigninToken: string };
    const login = (token: string) => fetch(`${sb.federationEndpoint}?Action=login&Destination=x&SigninToken=${encodeURIComponent(token)}`);
    expect((await login("made-up")).status).toBe(400);
    clock.advance(15 * 60 + 1);
    expect((await login(SigninToken)).status).toBe(400);
    expect(sb.federationRequests.filter((r) => r.action === "login").map((r) => r.tokenValid)).toEqual([false, false]);
  });

  it("escapes the destination in its page", async () => {
    const sb = await start();
    const creds = await assume(sb, aliceOf(sb), ASSUMED);
    const { SigninToken } = (await (await getSigninToken(sb, sessionOf(creds))).json()) as { SigninToken: string };
    const page = await fetch(`${sb.federationEndpoint}?Action=login&Destination=${encodeURIComponent("<script>x</script>")}&SigninToken=${SigninToken}`);
    const html = await page.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;script&#62;");
  });

  it("other actions and methods are refused", async () => {
    const sb = await start();
    expect((await fetch(`${sb.federationEndpoint}?Action=logout`)).status).toBe(400);
    expect((await fetch(`${sb.federationEndpoint}?Action=getSigninToken`, { method: "POST" })).status).toBe(405);
  });
});
