/**
 * `assume-role imds` through the built CLI against the sandbox, one test per state of seed 004 and of IMDS itself:
 * what a person reads (text) and what a script parses (--json), the exit code, and that no secret of the served
 * credentials reaches stdout or stderr.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD_JSON, defaultWorld, parseWorld, patchInstance, type Sandbox } from "../../src/sandbox/index.js";
import { CLOSED_IMDS, runCli, type RunResult } from "../helpers/cli.js";
import { useFreshSandboxes } from "../helpers/sandbox.js";

const A = "123456789012";
const INSTANCE = "i-0123456789abcdef0";
const SESSION = `arn:aws:sts::${A}:assumed-role/ExampleRole/${INSTANCE}`;
const PROFILE_ARN = `arn:aws:iam::${A}:instance-profile/ExampleRole`;
const ESC = "\x1b";

const start = useFreshSandboxes();

/** A patient IMDS client: these tests are about what is reported, not how fast (the host may be saturated). */
const envOf = (sb: Sandbox, extra: Record<string, string> = {}) => ({ ...sb.env(), AWS_METADATA_SERVICE_TIMEOUT: "10", ...extra });

interface Report {
  InstanceId: string | null;
  Region: string | null;
  InstanceProfile: { Arn: string; Id: string | null; Name: string } | null;
  Role: string | null;
  Credentials: { LastUpdated: string | null; AgeSeconds: number | null; Expiration: string | null; ExpiresInSeconds: number | null } | null;
  Identity: { Account: string; Arn: string; UserId: string } | null;
  Imdsv2: { TokenIssued: boolean | null; TokenUnanswered: boolean | null; Required: boolean | null };
  Unavailable: Record<string, string>;
  Warnings: Array<{ Code: string; Message: string; Remedy: string }>;
}

/**
 * Run `imds` as text and as --json; both exit `code` (0: the instance serves usable credentials; 3: none; 6:
 * expired ones) with the report on stdout, nothing on stderr and no secret anywhere.
 */
async function both(sb: Sandbox, env: Record<string, string> = envOf(sb), args: string[] = [], code = 0): Promise<{ text: string; json: Report }> {
  const text = await runCli(["imds", ...args], env);
  const json = await runCli(["imds", "--json", ...args], env);
  for (const r of [text, json]) {
    expect(r.stderr).toBe("");
    expect(r.code).toBe(code);
    noSecrets(sb, r);
  }
  return { text: text.stdout, json: JSON.parse(json.stdout) as Report };
}

/** Neither the secret key nor the session token IMDS serves appears in what the CLI printed. */
function noSecrets(sb: Sandbox, r: RunResult): void {
  const served = sb.instanceCredentials();
  if (served === undefined) return;
  for (const secret of [served.secretAccessKey, served.sessionToken]) {
    expect(r.stdout.includes(secret), "a secret on stdout").toBe(false);
    expect(r.stderr.includes(secret), "a secret on stderr").toBe(false);
  }
}

/** The value on a report line (`  label   value`). */
function line(text: string, label: string): string | undefined {
  return new RegExp(`^  ${label.replace(/[()]/g, "\\$&")} +(.*)$`, "m").exec(text)?.[1];
}

const codes = (r: Report) => r.Warnings.map((w) => w.Code);

describe("imds: a healthy instance", () => {
  it("reports instance, region, profile, role, credentials and who STS says they are, without warnings", async () => {
    const sb = await start();
    const { text, json } = await both(sb);
    expect(text).toMatch(/^IMDS at http:\/\/127\.0\.0\.1:\d+\n/);
    expect(line(text, "instance")).toBe(INSTANCE);
    expect(line(text, "region")).toBe("us-east-1");
    expect(line(text, "instance profile")).toBe(PROFILE_ARN);
    expect(line(text, "profile ID")).toBe(defaultWorld.instance.instanceProfileId);
    expect(line(text, "role (listed)")).toBe("ExampleRole");
    expect(line(text, "credentials")).toMatch(/^last updated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+s ago\)$/);
    expect(line(text, "expires")).toMatch(/^\S+Z \(in 5h 5\dm\)$/);
    expect(line(text, "served to (STS)")).toBe(SESSION);
    expect(line(text, "IMDSv2 token")).toBe("issued");
    expect(line(text, "IMDSv2 required")).toMatch(/^no \(/);
    expect(text).not.toContain("warning:");
    expect(text).not.toContain(ESC);

    expect(json).toMatchObject({
      InstanceId: INSTANCE,
      Region: "us-east-1",
      InstanceProfile: { Arn: PROFILE_ARN, Id: defaultWorld.instance.instanceProfileId, Name: "ExampleRole" },
      Role: "ExampleRole",
      Identity: { Account: A, Arn: SESSION },
      Imdsv2: { TokenIssued: true, TokenUnanswered: false, Required: false },
      Unavailable: {},
      Warnings: [],
    });
    expect(json.Credentials!.AgeSeconds).toBeLessThan(120);
    expect(json.Credentials!.ExpiresInSeconds).toBeGreaterThan(6 * 3600 - 180);
    // GetCallerIdentity went to the sandbox's STS, signed with the served credentials.
    expect(sb.requests.filter((q) => q.action === "GetCallerIdentity").map((q) => q.callerArn)).toEqual([SESSION, SESSION]);
  });

  it("colours the text for a terminal (FORCE_COLOR), never the JSON", async () => {
    const sb = await start();
    const text = await runCli(["imds"], envOf(sb, { FORCE_COLOR: "1" }));
    const json = await runCli(["imds", "-f", "json"], envOf(sb, { FORCE_COLOR: "1" }));
    expect(text.stdout).toContain(`${ESC}[1m${INSTANCE}${ESC}[22m`);
    expect(json.stdout).not.toContain(ESC);
    expect(JSON.parse(json.stdout).InstanceId).toBe(INSTANCE);
  });
});

describe("imds: seed 004's states", () => {
  it("a role swap IMDS has not caught up with: warns that the served credentials are another role's", async () => {
    const sb = await start({ world: patchInstance(defaultWorld, { servedRole: "PreviousInstanceRole" }) });
    const { text, json } = await both(sb);
    const served = `arn:aws:sts::${A}:assumed-role/PreviousInstanceRole/${INSTANCE}`;
    expect(line(text, "role (listed)")).toBe("ExampleRole");
    expect(line(text, "served to (STS)")).toBe(served);
    expect(text).toContain(`\nwarning: IMDS lists role ExampleRole, but STS says the credentials it serves are ${served}\n  fix: after a role swap`);
    expect(text).toMatch(/stop and start the instance \(a reboot is not enough\)/);
    expect(codes(json)).toEqual(["role-mismatch"]);
    expect(json.Identity!.Arn).toBe(served);
    expect(json.Warnings[0]!.Remedy).toMatch(/associate a new instance profile/);
  });

  it("an instance profile named apart from its role: warns, naming both", async () => {
    const sb = await start({ world: patchInstance(defaultWorld, { instanceProfile: "web-servers" }) });
    const { text, json } = await both(sb);
    expect(line(text, "instance profile")).toBe(`arn:aws:iam::${A}:instance-profile/web-servers`);
    expect(text).toContain("\nwarning: instance profile web-servers holds role ExampleRole: the names differ\n  fix: permissions belong to the role: look for ExampleRole in IAM");
    expect(codes(json)).toEqual(["profile-name"]);
    expect(json.InstanceProfile).toMatchObject({ Name: "web-servers", Arn: `arn:aws:iam::${A}:instance-profile/web-servers` });
  });

  it("credentials last updated 3 hours ago: warns past 1 hour, not under a --stale-after above their age", async () => {
    const sb = await start({ world: patchInstance(defaultWorld, { credentialsAgeSeconds: 3 * 3600 }) });
    const { text, json } = await both(sb);
    expect(line(text, "credentials")).toMatch(/^last updated \S+Z \(3h ago\)$/);
    expect(line(text, "expires")).toMatch(/\(in 2h 5\dm\)$/);
    expect(text).toMatch(/\nwarning: the served credentials were last updated 3h ago \(\S+Z\), more than 1h\n  fix: IMDS goes on serving/);
    expect(codes(json)).toEqual(["stale-credentials"]);
    expect(Math.abs(json.Credentials!.AgeSeconds! - 3 * 3600)).toBeLessThan(120);
    const patient = await both(sb, envOf(sb), ["--stale-after", "4h"]);
    expect(patient.text).not.toContain("warning:");
    expect(codes(patient.json)).toEqual([]);
  });

  it("a world file can hold all three at once: three warnings", async () => {
    const json: any = structuredClone(DEFAULT_WORLD_JSON);
    Object.assign(json.instance, { servedRole: "PreviousInstanceRole", instanceProfile: "legacy", credentialsAgeSeconds: 7200 });
    const sb = await start({ world: parseWorld(json, "all-three") });
    const r = await both(sb);
    expect(codes(r.json)).toEqual(["role-mismatch", "profile-name", "stale-credentials"]);
    expect(r.text.match(/^warning: /gm)).toHaveLength(3);
  });
});

describe("imds: how IMDS itself behaves", () => {
  it("IMDSv2 required: a GET without a token is refused, and every item still comes (with a token)", async () => {
    const sb = await start({ faults: { imdsV2Required: true } });
    const { text, json } = await both(sb);
    expect(line(text, "IMDSv2 required")).toBe("yes (a GET without a token is refused, HTTP 401)");
    expect(json.Imdsv2).toEqual({ TokenIssued: true, TokenUnanswered: false, Required: true });
    expect(json.Unavailable).toEqual({});
    expect(json.Identity!.Arn).toBe(SESSION);
  });

  it("IMDSv1 only: the token PUT answers 405, items come over IMDSv1", async () => {
    const sb = await start({ faults: { imdsV1Only: true } });
    const { text, json } = await both(sb);
    expect(line(text, "IMDSv2 token")).toBe("not issued (HTTP 405)");
    expect(json.Imdsv2).toEqual({ TokenIssued: false, TokenUnanswered: false, Required: false });
    expect(codes(json)).toEqual([]);
    expect(json.Role).toBe("ExampleRole");
  });

  it("the token PUT unanswered while GETs work: reports it and warns of the container hop limit", async () => {
    const sb = await start({ faults: { imdsTokenUnanswered: true } });
    // Each run waits out the token request once: a short explicit timeout, which the client never shortens.
    const { text, json } = await both(sb, envOf(sb, { AWS_METADATA_SERVICE_TIMEOUT: "3" }));
    expect(line(text, "IMDSv2 token")).toBe("not issued (the token request got no answer)");
    expect(text).toMatch(/\nwarning: the IMDSv2 session-token request \(PUT\) got no answer while GETs were answered: a container behind the instance's hop limit\n  fix: raise the instance's hop limit to 2/);
    expect(json.Imdsv2).toEqual({ TokenIssued: false, TokenUnanswered: true, Required: false });
    expect(codes(json)).toEqual(["token-unanswered"]);
    expect(json.Identity!.Arn).toBe(SESSION);
  });

  it("the token PUT unanswered and IMDSv2 required: each item says why it is missing, exit 3 (no credentials served)", async () => {
    const sb = await start({ faults: { imdsTokenUnanswered: true, imdsV2Required: true } });
    const { text, json } = await both(sb, envOf(sb, { AWS_METADATA_SERVICE_TIMEOUT: "3" }), [], 3);
    expect(line(text, "instance")).toMatch(/^unavailable: IMDS at \S+ requires a session token \(IMDSv2\) and refused \/latest\/meta-data\/instance-id/);
    expect(line(text, "IMDSv2 required")).toMatch(/^yes /);
    expect(json.Imdsv2).toEqual({ TokenIssued: false, TokenUnanswered: true, Required: true });
    expect(json.InstanceId).toBeNull();
    expect(Object.keys(json.Unavailable).sort()).toEqual(["Credentials", "Identity", "InstanceId", "InstanceProfile", "Region", "Role"]);
    expect(codes(json)).toEqual(["token-unanswered"]);
  });

  it("no instance profile: role and profile reported missing, not a crash; exit 3 (no credentials served)", async () => {
    const world: any = structuredClone(DEFAULT_WORLD_JSON);
    delete world.instance.role;
    delete world.instance.instanceProfile;
    const sb = await start({ world: parseWorld(world, "no-profile") });
    const { text, json } = await both(sb, envOf(sb), [], 3);
    expect(line(text, "role (listed)")).toMatch(/^unavailable: IMDS at \S+ lists no role: this instance has no IAM instance profile/);
    expect(line(text, "instance profile")).toMatch(/^unavailable: IMDS describes no instance profile/);
    expect(json).toMatchObject({ InstanceId: INSTANCE, Role: null, InstanceProfile: null, Credentials: null, Identity: null, Warnings: [] });
    expect(json.Unavailable.Role).toMatch(/lists no role/);
  });

  it("credentials that have expired: reported with the clock warning, exit 6 so that `assume-role imds && ...` stops", async () => {
    const sb = await start({ faults: { imdsFault: "expired" } });
    const { json } = await both(sb, envOf(sb), [], 6);
    expect(codes(json)).toContain("expired-credentials");
  });

  it("STS unreachable: the identity is reported missing, the rest stands", async () => {
    const sb = await start({ faults: { stsFault: "reset" } });
    const { text, json } = await both(sb, envOf(sb, { AWS_MAX_ATTEMPTS: "1" }));
    expect(line(text, "served to (STS)")).toMatch(/^unavailable: STS at \S+ closed the connection without answering GetCallerIdentity/);
    expect(json.Identity).toBeNull();
    expect(json.Role).toBe("ExampleRole");
    expect(json.Credentials).not.toBeNull();
  });

  it.each<[string, (sb: Sandbox) => Record<string, string>, RegExp]>([
    ["IMDS drops every connection", (sb) => (sb.setFaults({ imdsDown: true }), envOf(sb)), /^assume-role: IMDS could not be reached at http:\/\/127\.0\.0\.1:\d+ \(/],
    ["nothing listens where IMDS should be", (sb) => ({ ...envOf(sb), AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS }), /^assume-role: IMDS could not be reached at http:\/\/127\.0\.0\.1:65531 \(ECONNREFUSED\)/],
    ["AWS_EC2_METADATA_DISABLED=true", (sb) => envOf(sb, { AWS_EC2_METADATA_DISABLED: "true" }), /^assume-role: IMDS is turned off by AWS_EC2_METADATA_DISABLED=true\n  hint: /],
  ])("%s: exit 3, nothing on stdout, one message", async (_name, envFor, message) => {
    const sb = await start();
    for (const args of [["imds"], ["imds", "--json"]]) {
      const r = await runCli(args, envFor(sb));
      expect([r.code, r.stdout]).toEqual([3, ""]);
      expect(r.stderr).toMatch(message);
    }
    expect(sb.requests).toEqual([]);
  });
});
