import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  type AssumeRoleCommandInput,
  type STSClient,
} from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_WORLD_JSON,
  parseWorld,
  type Sandbox,
} from "../../src/sandbox/index.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";
import { TestClock, credsOf, failure, instanceCreds, stsClient, type Creds } from "../helpers/sandbox-clients.js";

const A = "123456789012";
const B = "222222222222";
const ASSUMED = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const CROSS = `arn:aws:iam::${B}:role/CrossAccountRole`;
const MFA_ROLE = `arn:aws:iam::${B}:role/MfaRole`;
const ALICE_MFA = { SerialNumber: `arn:aws:iam::${A}:mfa/alice`, TokenCode: "123456" };
const INSTANCE_SESSION = `arn:aws:sts::${A}:assumed-role/ExampleRole/i-0123456789abcdef0`;
const notAuthorized = (caller: string, role: string) =>
  `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

const start = useFreshSandboxes();

const assume = (client: STSClient, input: AssumeRoleCommandInput) => client.send(new AssumeRoleCommand(input));
const whoami = (client: STSClient) => client.send(new GetCallerIdentityCommand({}));

/** Instance creds → ExampleAssumedRole (session "hop1"): a role session that may assume roles in 222222222222. */
async function firstHop(sb: Sandbox, clock?: TestClock, durationSeconds?: number): Promise<Creds> {
  const client = stsClient(sb, await instanceCreds(sb), clock ? { clock } : {});
  return credsOf(await assume(client, { RoleArn: ASSUMED, RoleSessionName: "hop1", DurationSeconds: durationSeconds }));
}

describe("identity and chains through the JS SDK", () => {
  it("GetCallerIdentity with the instance credentials is the instance-role session", async () => {
    const sb = await start();
    const out = await whoami(stsClient(sb, await instanceCreds(sb)));
    expect(out.Arn).toBe(INSTANCE_SESSION);
    expect(out.Account).toBe(A);
    expect(out.UserId).toMatch(/^AROA[A-Z0-9]{17}:i-0123456789abcdef0$/);
    expect(sb.counts.sts).toEqual({ GetCallerIdentity: 1 });
    expect(sb.requests).toEqual([
      {
        action: "GetCallerIdentity",
        params: {},
        accessKeyId: expect.stringMatching(/^ASIA/),
        signingRegion: "us-east-1",
        callerArn: INSTANCE_SESSION,
        userAgent: expect.stringMatching(/aws-sdk-js/),
        status: 200,
      },
    ]);
  });

  it("a two-hop chain: ExampleAssumedRole, then CrossAccountRole in 222222222222", async () => {
    const sb = await start();
    const hop1 = await assume(stsClient(sb, await instanceCreds(sb)), { RoleArn: ASSUMED, RoleSessionName: "hop1" });
    expect(hop1.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/hop1`);
    expect(hop1.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:hop1$/);
    const c = hop1.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(c?.SecretAccessKey).toHaveLength(40);
    expect(c?.SessionToken).toMatch(/\+.*\/.*=$|\/.*\+.*=$/s);
    const lifetime = (c?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);

    const hop2 = await assume(stsClient(sb, credsOf(hop1)), {
      RoleArn: CROSS,
      RoleSessionName: "hop2",
      DurationSeconds: 900,
    });
    expect(hop2.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${B}:assumed-role/CrossAccountRole/hop2`);
    const who = await whoami(stsClient(sb, credsOf(hop2)));
    expect(who).toMatchObject({ Account: B, Arn: `arn:aws:sts::${B}:assumed-role/CrossAccountRole/hop2` });
    expect(sb.requests.map((r) => [r.action, r.status, r.callerArn])).toEqual([
      ["AssumeRole", 200, INSTANCE_SESSION],
      ["AssumeRole", 200, `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/hop1`],
      ["GetCallerIdentity", 200, `arn:aws:sts::${B}:assumed-role/CrossAccountRole/hop2`],
    ]);
    expect(sb.requests[1]?.params).toEqual({ RoleArn: CROSS, RoleSessionName: "hop2", DurationSeconds: "900" });
  });

  it("never records secrets or session tokens", async () => {
    const sb = await start();
    const creds = await instanceCreds(sb);
    const hop1 = await assume(stsClient(sb, creds), { RoleArn: ASSUMED, RoleSessionName: "hop1" });
    const log = JSON.stringify(sb.requests);
    const next = credsOf(hop1);
    for (const secret of [creds.secretAccessKey, creds.sessionToken, next.secretAccessKey, next.sessionToken]) {
      expect(log).not.toContain(secret);
    }
  });

  it("an IAM user (alice): GetCallerIdentity and a 12-hour session (not chaining)", async () => {
    const sb = await start();
    const alice = stsClient(sb, sb.userKeys("alice"));
    expect(await whoami(alice)).toMatchObject({
      Account: A,
      Arn: `arn:aws:iam::${A}:user/alice`,
      UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/),
    });
    const out = await assume(alice, { RoleArn: ASSUMED, RoleSessionName: "alice", DurationSeconds: 43200 });
    expect((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now()).toBeGreaterThan(43190_000);
    expect(() => sb.userKeys("mallory")).toThrow(/no IAM user named "mallory"/);
  });
});

describe("AssumeRole enforcement", () => {
  it("trust policy does not name the caller → AccessDenied naming caller and role", async () => {
    const sb = await start();
    const target = `arn:aws:iam::${B}:role/AliceOnlyRole`;
    const e = await failure(assume(stsClient(sb, await firstHop(sb)), { RoleArn: target, RoleSessionName: "x1" }));
    expect(e).toMatchObject({ name: "AccessDenied", status: 403, attempts: 1 });
    expect(e.message).toBe(notAuthorized(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/hop1`, target));
    expect(sb.requests.at(-1)).toMatchObject({ status: 403, errorCode: "AccessDenied" });
  });

  it("identity policy does not allow it (though the trust does) → AccessDenied", async () => {
    const sb = await start();
    const target = `arn:aws:iam::${B}:role/AliceOnlyRole`;
    const e = await failure(assume(stsClient(sb, sb.userKeys("alice")), { RoleArn: target, RoleSessionName: "x1" }));
    expect(e).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(e.message).toBe(notAuthorized(`arn:aws:iam::${A}:user/alice`, target));
  });

  it("a role that does not exist → AccessDenied, as AWS answers", async () => {
    const sb = await start();
    const target = `arn:aws:iam::${A}:role/Nope`;
    const e = await failure(assume(stsClient(sb, await instanceCreds(sb)), { RoleArn: target, RoleSessionName: "x1" }));
    expect(e.name).toBe("AccessDenied");
    expect(e.message).toBe(notAuthorized(INSTANCE_SESSION, target));
  });

  it("an explicit Deny in the identity policy wins over its Allow", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    json.accounts[A].roles.ExampleAssumedRole.permissionPolicy.Statement.push({
      Effect: "Deny",
      Action: "sts:AssumeRole",
      Resource: CROSS,
    });
    const sb = await start({ world: parseWorld(json, "deny") });
    const e = await failure(assume(stsClient(sb, await firstHop(sb)), { RoleArn: CROSS, RoleSessionName: "x1" }));
    expect(e.name).toBe("AccessDenied");
  });

  it("role chaining with DurationSeconds 7200 → the 1-hour ValidationError", async () => {
    const sb = await start();
    const client = stsClient(sb, await instanceCreds(sb));
    const e = await failure(assume(client, { RoleArn: ASSUMED, RoleSessionName: "x1", DurationSeconds: 7200 }));
    expect(e).toMatchObject({ name: "ValidationError", status: 400, attempts: 1 });
    expect(e.message).toBe(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  });

  it("DurationSeconds above the role's MaxSessionDuration, or below 900 → ValidationError", async () => {
    const sb = await start();
    const alice = stsClient(sb, sb.userKeys("alice"));
    const over = await failure(
      assume(alice, { RoleArn: MFA_ROLE, RoleSessionName: "x1", DurationSeconds: 7200, ...ALICE_MFA }),
    );
    expect(over.message).toBe("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const under = await failure(assume(alice, { RoleArn: ASSUMED, RoleSessionName: "x1", DurationSeconds: 899 }));
    expect(under).toMatchObject({ name: "ValidationError", status: 400 });
    expect(under.message).toBe(
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: " +
        "Member must have value greater than or equal to 900",
    );
  });

  it("bad RoleSessionName → ValidationError in AWS's wording (XML-escaped on the wire)", async () => {
    const sb = await start();
    const client = stsClient(sb, await instanceCreds(sb));
    const e = await failure(assume(client, { RoleArn: ASSUMED, RoleSessionName: "bad <name> & co" }));
    expect(e).toMatchObject({ name: "ValidationError", status: 400 });
    expect(e.message).toBe(
      "1 validation error detected: Value 'bad <name> & co' at 'roleSessionName' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    const short = await failure(assume(client, { RoleArn: ASSUMED, RoleSessionName: "x" }));
    expect(short.message).toContain("Member must have length greater than or equal to 2");
    const ok = await assume(client, { RoleArn: ASSUMED, RoleSessionName: "a+b=c,d.e@f-g_h" });
    expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/a+b=c,d.e@f-g_h`);
  });

  it("ExternalIdRole: allowed with the right ExternalId only", async () => {
    const sb = await start();
    const client = stsClient(sb, await firstHop(sb));
    const role = `arn:aws:iam::${B}:role/ExternalIdRole`;
    expect((await failure(assume(client, { RoleArn: role, RoleSessionName: "x1" }))).name).toBe("AccessDenied");
    expect((await failure(assume(client, { RoleArn: role, RoleSessionName: "x1", ExternalId: "wrong-id" }))).name).toBe(
      "AccessDenied",
    );
    const ok = await assume(client, { RoleArn: role, RoleSessionName: "x1", ExternalId: "example-external-id" });
    expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${B}:assumed-role/ExternalIdRole/x1`);
    expect(sb.requests.at(-1)?.params["ExternalId"]).toBe("example-external-id");
  });

  it("MfaRole: alice needs her MFA code; MFA carries into a chained session until it is an hour old", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const alice = stsClient(sb, sb.userKeys("alice"), { clock });
    const mfaRole = { RoleArn: MFA_ROLE };
    const m1 = { RoleArn: MFA_ROLE, RoleSessionName: "m1" };
    expect((await failure(assume(alice, m1))).name).toBe("AccessDenied");
    const wrong = await failure(assume(alice, { ...m1, ...ALICE_MFA, TokenCode: "000000" }));
    expect(wrong).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(wrong.message).toMatch(/MultiFactorAuthentication failed/);
    const notSix = await failure(assume(alice, { ...m1, ...ALICE_MFA, TokenCode: "12345" }));
    expect(notSix.name).toBe("ValidationError");
    const ok = await assume(alice, { ...m1, ...ALICE_MFA });
    expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${B}:assumed-role/MfaRole/m1`);

    // A session created with MFA passes aws:MultiFactorAuthPresent when it assumes MfaRole itself...
    const viaRole = await assume(alice, {
      RoleArn: ASSUMED,
      RoleSessionName: "m2",
      DurationSeconds: 43200,
      ...ALICE_MFA,
    });
    const withMfa = stsClient(sb, credsOf(viaRole), { clock });
    const chained = await assume(withMfa, { ...mfaRole, RoleSessionName: "m3" });
    expect(chained.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${B}:assumed-role/MfaRole/m3`);
    // ...until aws:MultiFactorAuthAge reaches the trust policy's 3600 seconds.
    clock.advance(3600);
    const later = stsClient(sb, credsOf(viaRole), { clock });
    const old = await failure(assume(later, { ...mfaRole, RoleSessionName: "m4" }));
    expect(old.name).toBe("AccessDenied");
    // A session without MFA never passes.
    const plain = stsClient(sb, await firstHop(sb, clock), { clock });
    const noMfa = await failure(assume(plain, { ...mfaRole, RoleSessionName: "m5" }));
    expect(noMfa.name).toBe("AccessDenied");
  });
});

describe("session tags and source identity, as AWS chains them", () => {
  const ALICE = `arn:aws:iam::${A}:user/alice`;
  const tags = (...pairs: string[]) => pairs.map((p) => ({ Key: p.split("=")[0]!, Value: p.split("=")[1]! }));

  it("a transitive tag is inherited by the next session; setting its key again (in any case) fails as AWS fails it", async () => {
    const sb = await start();
    const alice = stsClient(sb, sb.userKeys("alice"));
    const hop1 = await assume(alice, { RoleArn: ASSUMED, RoleSessionName: "t1", Tags: tags("Team=ops", "Env=prod"), TransitiveTagKeys: ["Env"] });
    const chained = stsClient(sb, credsOf(hop1));
    const clash = await failure(assume(chained, { RoleArn: CROSS, RoleSessionName: "t2", Tags: tags("env=dev") }));
    expect(clash).toMatchObject({ name: "InvalidParameterValue", status: 400 });
    expect(clash.message).toBe(
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
    // A key that was not transitive may be set again on the next hop.
    const ok = await assume(chained, { RoleArn: CROSS, RoleSessionName: "t3", Tags: tags("Team=dev") });
    expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${B}:assumed-role/CrossAccountRole/t3`);
    // The inherited tag is still transitive one hop further: the third session may not set it either.
    const hop2 = await assume(chained, { RoleArn: CROSS, RoleSessionName: "t4" });
    const again = await failure(assume(stsClient(sb, credsOf(hop2)), { RoleArn: CROSS, RoleSessionName: "t5", Tags: tags("ENV=x") }));
    expect(again.name).toBe("InvalidParameterValue");
    expect(sb.requests.map((r) => [r.params.RoleSessionName, r.status, r.errorCode])).toEqual([
      ["t1", 200, undefined],
      ["t2", 400, "InvalidParameterValue"],
      ["t3", 200, undefined],
      ["t4", 200, undefined],
      ["t5", 400, "InvalidParameterValue"],
    ]);
  });

  it("a transitive key must be one of the request's tags; a tag key may not appear twice", async () => {
    const sb = await start();
    const alice = stsClient(sb, sb.userKeys("alice"));
    const orphan = await failure(assume(alice, { RoleArn: ASSUMED, RoleSessionName: "t1", Tags: tags("Team=ops"), TransitiveTagKeys: ["Env"] }));
    expect(orphan).toMatchObject({ name: "InvalidParameterValue", message: "The specified transitive tag key must be included in the requested tags." });
    const twice = await failure(assume(alice, { RoleArn: ASSUMED, RoleSessionName: "t2", Tags: tags("Team=ops", "team=dev") }));
    expect(twice.name).toBe("InvalidParameterValue");
  });

  it("tags need sts:TagSession, source identity sts:SetSourceIdentity, in the caller's policy too", async () => {
    const sb = await start();
    // ExampleRole (the instance role) may only sts:AssumeRole.
    const instance = stsClient(sb, await instanceCreds(sb));
    const tagged = await failure(assume(instance, { RoleArn: ASSUMED, RoleSessionName: "t1", Tags: tags("Team=ops") }));
    expect(tagged.message).toBe(`User: ${INSTANCE_SESSION} is not authorized to perform: sts:TagSession on resource: ${ASSUMED}`);
    const identified = await failure(assume(instance, { RoleArn: ASSUMED, RoleSessionName: "t2", SourceIdentity: "alice" }));
    expect(identified.message).toBe(`User: ${INSTANCE_SESSION} is not authorized to perform: sts:SetSourceIdentity on resource: ${ASSUMED}`);
    const alice = stsClient(sb, sb.userKeys("alice"));
    const out = await assume(alice, { RoleArn: ASSUMED, RoleSessionName: "t3", Tags: tags("Team=ops"), SourceIdentity: "alice" });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/t3`);
    expect(sb.requests.at(-1)?.callerArn).toBe(ALICE);
  });

  it("carrying inherited transitive tags into a session needs sts:TagSession, even when the request sets none", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    json.accounts[B].roles.CrossAccountRole.trustPolicy.Statement[0].Action = "sts:AssumeRole";
    const sb = await start({ world: parseWorld(json, "no-tag-session") });
    const alice = stsClient(sb, sb.userKeys("alice"));
    const plain = await assume(alice, { RoleArn: ASSUMED, RoleSessionName: "p1" });
    expect((await assume(stsClient(sb, credsOf(plain)), { RoleArn: CROSS, RoleSessionName: "p2" })).AssumedRoleUser).toBeDefined();
    const tagged = await assume(alice, { RoleArn: ASSUMED, RoleSessionName: "t1", Tags: tags("Env=prod"), TransitiveTagKeys: ["Env"] });
    const e = await failure(assume(stsClient(sb, credsOf(tagged)), { RoleArn: CROSS, RoleSessionName: "t2" }));
    expect(e.message).toBe(`User: arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/t1 is not authorized to perform: sts:TagSession on resource: ${CROSS}`);
  });
});

describe("authentication", () => {
  it("a wrong secret → SignatureDoesNotMatch (403)", async () => {
    const sb = await start();
    const creds = await instanceCreds(sb);
    const wrongSecret = creds.secretAccessKey.replace(/^./, (c) => (c === "A" ? "B" : "A"));
    const e = await failure(whoami(stsClient(sb, { ...creds, secretAccessKey: wrongSecret })));
    expect(e).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(sb.requests.at(-1)).toMatchObject({ errorCode: "SignatureDoesNotMatch", accessKeyId: creds.accessKeyId });
    expect(sb.requests.at(-1)?.callerArn).toBeUndefined();
  });

  it("an unknown key, or a session key without its token → InvalidClientTokenId", async () => {
    const sb = await start();
    const unknown = stsClient(sb, { accessKeyId: "AKIAUNKNOWNEXAMPLE00", secretAccessKey: "x".repeat(40) });
    expect(await failure(whoami(unknown))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
    const creds = await instanceCreds(sb);
    const noToken = stsClient(sb, { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey });
    expect((await failure(whoami(noToken))).name).toBe("InvalidClientTokenId");
    const wrongToken = stsClient(sb, { ...creds, sessionToken: `${creds.sessionToken}x` });
    expect((await failure(whoami(wrongToken))).name).toBe("InvalidClientTokenId");
  });

  it("an expired session (sandbox clock moved past its expiry) → ExpiredToken", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const hop1 = await firstHop(sb, clock, 900);
    clock.advance(901);
    const e = await failure(whoami(stsClient(sb, hop1, { clock })));
    expect(e).toMatchObject({ name: "ExpiredToken", status: 400 }); // the SDK itself retries ExpiredToken
    expect(e.message).toBe("The security token included in the request is expired");
  });

  it("X-Amz-Date 15+ minutes off → Signature expired; the SDK fixes its clock from Date, retries", async () => {
    const clock = new TestClock();
    const sb = await start({ now: clock.now });
    const creds = await instanceCreds(sb);
    clock.advance(20 * 60);
    const out = await whoami(stsClient(sb, creds)); // signs with the real clock
    expect(out.$metadata.attempts).toBe(2);
    expect(sb.requests.map((r) => r.errorCode ?? r.status)).toEqual(["SignatureDoesNotMatch", 200]);
  });

  it("unsupported actions → InvalidAction", async () => {
    const sb = await start();
    const e = await failure(stsClient(sb, sb.userKeys("alice")).send(new GetFederationTokenCommand({ Name: "bob" })));
    expect(e).toMatchObject({ name: "InvalidAction", status: 400 });
    expect(sb.counts.sts).toEqual({ GetFederationToken: 1 });
  });

  it("an unsigned request → MissingAuthenticationToken, with STS's XML error shape", async () => {
    const sb = await start();
    const res = await fetch(sb.stsEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("text/xml");
    const body = await res.text();
    expect(body.replace(/>\s+</g, "><").trim()).toMatch(
      new RegExp(
        '^<ErrorResponse xmlns="https://sts\\.amazonaws\\.com/doc/2011-06-15/">' +
          "<Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>" +
          "<Message>Request is missing Authentication Token</Message></Error>" +
          "<RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$",
      ),
    );
  });
});

describe("STS faults", () => {
  it("throttling and 503: the SDK retries and counts show every attempt", async () => {
    const sb = await start();
    const client = stsClient(sb, await instanceCreds(sb));
    sb.setFaults({ stsThrottleFirst: 1, sts5xxFirst: 1 });
    const out = await assume(client, { RoleArn: ASSUMED, RoleSessionName: "retry" });
    expect(out.$metadata.attempts).toBe(3);
    expect(sb.counts.sts.AssumeRole).toBe(3);
    expect(sb.requests.map((r) => r.errorCode ?? r.status)).toEqual(["Throttling", "ServiceUnavailable", 200]);
    expect(sb.requests.map((r) => r.status)).toEqual([400, 503, 200]);
  });

  it("throttling beyond the SDK's attempts surfaces Throttling 'Rate exceeded'", async () => {
    const sb = await start({ faults: { stsThrottleFirst: 5 } });
    const client = stsClient(sb, await instanceCreds(sb), { config: { maxAttempts: 2 } });
    const e = await failure(assume(client, { RoleArn: ASSUMED, RoleSessionName: "retry" }));
    expect(e).toMatchObject({ name: "Throttling", message: "Rate exceeded", status: 400, attempts: 2 });
    expect(sb.counts.sts.AssumeRole).toBe(2);
  });

  it("stsFault answers every request after the throttled/5xx ones with its fault, recorded on the request", async () => {
    const sb = await start({ faults: { stsThrottleFirst: 1, stsFault: "expired-token" } });
    const client = stsClient(sb, await instanceCreds(sb), { config: { maxAttempts: 1 } });
    expect((await failure(whoami(client))).name).toBe("Throttling");
    expect(await failure(whoami(client))).toMatchObject({ name: "ExpiredToken", status: 400 });
    expect(sb.requests.map((r) => [r.fault, r.status])).toEqual([
      ["throttle", 400],
      ["expired-token", 400],
    ]);
    sb.setFaults({ stsFault: "none" });
    expect((await whoami(client)).Arn).toBe(INSTANCE_SESSION);
  });

  it.each([
    ["region-disabled", { name: "RegionDisabledException", status: 403, message: /^STS is not activated in this region for account:123456789012\./ }],
    ["html-502", { status: 502, message: /XML parse error/ }],
    ["truncated", { status: 200, message: /XML parse error/ }],
    ["reset", { status: undefined, message: /ECONNRESET|socket hang up/ }],
  ] as const)("stsFault %s: what the JS SDK surfaces", async (fault, expected) => {
    const sb = await start({ faults: { stsFault: fault } });
    const client = stsClient(sb, await instanceCreds(sb), { config: { maxAttempts: 1 } });
    const e = await failure(assume(client, { RoleArn: ASSUMED, RoleSessionName: "fault" }));
    expect(e.status).toBe(expected.status);
    expect(e.message).toMatch(expected.message);
    if ("name" in expected) expect(e.name).toBe(expected.name);
    expect(sb.requests[0]?.fault).toBe(fault);
  });

  it("stsFault html-502 and truncated on the wire: a proxy's page; half of the normal XML", async () => {
    const sb = await start({ faults: { stsFault: "html-502" } });
    const post = () => fetch(sb.stsEndpoint, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    const page = await post();
    expect([page.status, page.headers.get("content-type")]).toEqual([502, "text/html"]);
    expect(await page.text()).toContain("<h1>502 Bad Gateway</h1>");
    sb.setFaults({ stsFault: "truncated" });
    const cut = await post();
    const body = await cut.text();
    expect(cut.headers.get("content-type")).toBe("text/xml");
    expect(body).toMatch(/^<ErrorResponse /); // unsigned: the error answer, cut in half
    expect(body).not.toContain("</ErrorResponse>");
  });

  it("stsFault hang: the request is read and never answered", async () => {
    const sb = await start({ faults: { stsFault: "hang" } });
    const client = stsClient(sb, await instanceCreds(sb), { config: { maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } } });
    expect((await failure(whoami(client))).name).toBe("TimeoutError");
    expect(sb.requests.map((r) => [r.action, r.fault, r.status])).toEqual([["GetCallerIdentity", "hang", 0]]);
  });

  it("stsFault no-credentials and expired-credentials: a 200 without Credentials, or with an Expiration in the past", async () => {
    const sb = await start({ faults: { stsFault: "no-credentials" } });
    const client = stsClient(sb, await instanceCreds(sb));
    const bare = await assume(client, { RoleArn: ASSUMED, RoleSessionName: "fault" });
    expect(bare.Credentials).toBeUndefined();
    expect(bare.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/fault`);
    const id = await whoami(client);
    expect([id.Arn, id.Account, id.UserId]).toEqual([undefined, undefined, undefined]);
    sb.setFaults({ stsFault: "expired-credentials" });
    const expired = await assume(client, { RoleArn: ASSUMED, RoleSessionName: "fault" });
    expect(expired.Credentials!.Expiration!.getTime()).toBeLessThan(Date.now() - 3000_000);
  });

  it("latencyMs delays every STS response", async () => {
    const sb = await start();
    const client = stsClient(sb, await instanceCreds(sb));
    sb.setFaults({ latencyMs: 200 });
    const started = Date.now();
    await whoami(client);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
