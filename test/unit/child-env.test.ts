import { describe, expect, it } from "vitest";
import { buildChildEnv, buildEndpointExportSet, isStale } from "../../src/outputs/child-env.js";
import { buildExportSet } from "../../src/outputs/export-set.js";
import { exitStatus, shouldForward } from "../../src/commands/exec-command.js";
import { tailAfterDoubleDash } from "../../src/commands/exec-tail.js";

const ROLE = "arn:aws:iam::222222222222:role/Prod";
const creds = {
  accessKeyId: "ASIANEWKEY0000000001",
  secretAccessKey: "new-secret",
  sessionToken: "new-token",
  expiration: new Date("2030-01-02T03:04:05Z"),
};
const ENDPOINT = { url: "http://127.0.0.1:4321/credentials", token: "tok_en-43chars" };

/** A parent environment full of things a child must not inherit, plus things it must keep. */
const PARENT = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/u",
  AWS_REGION: "eu-west-1",
  AWS_CONFIG_FILE: "/etc/aws/config",
  AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
  AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:2",
  AWS_ACCESS_KEY_ID: "AKIAOLD",
  AWS_SECRET_ACCESS_KEY: "old-secret",
  AWS_SESSION_TOKEN: "old-token",
  AWS_SECURITY_TOKEN: "x",
  AWS_CREDENTIAL_EXPIRATION: "2000-01-01T00:00:00Z",
  AWS_PROFILE: "stale",
  AWS_DEFAULT_PROFILE: "stale",
  AWS_CREDENTIAL_FILE: "/old/creds",
  AWS_SDK_LOAD_CONFIG: "1",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/old",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/old",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: "old-bearer",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/old/token",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token",
  AWS_ROLE_ARN: "arn:aws:iam::1:role/Old",
  ASSUME_ROLE_ARN: "arn:aws:iam::1:role/Old",
  ASSUME_ROLE_CHAIN: "imds > arn:aws:iam::1:role/Old",
  ASSUME_ROLE_ACCESS_KEY_ID: "AKIAOLD",
  UNDEFINED_ONE: undefined,
};

describe("isStale", () => {
  it.each([
    ["AWS_ACCESS_KEY_ID", true],
    ["AWS_SECRET_ACCESS_KEY", true],
    ["AWS_SESSION_TOKEN", true],
    ["AWS_SECURITY_TOKEN", true],
    ["AWS_CREDENTIAL_EXPIRATION", true],
    ["AWS_PROFILE", true],
    ["AWS_DEFAULT_PROFILE", true],
    ["AWS_CREDENTIAL_FILE", true],
    ["AWS_SDK_LOAD_CONFIG", true],
    ["AWS_CONTAINER_CREDENTIALS_FULL_URI", true],
    ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", true],
    ["AWS_CONTAINER_ANYTHING_NEW", true],
    ["ASSUME_ROLE_ARN", true],
    ["ASSUME_ROLE_CHAIN", true],
    ["ASSUME_ROLE_ACCESS_KEY_ID", true],
    ["AWS_REGION", false],
    ["AWS_CONFIG_FILE", false],
    ["AWS_SHARED_CREDENTIALS_FILE", false],
    ["AWS_ENDPOINT_URL_STS", false],
    ["AWS_WEB_IDENTITY_TOKEN_FILE", false],
    ["aws_profile", false],
    ["PATH", false],
  ])("%s → %s", (name, stale) => expect(isStale(name)).toBe(stale));
});

describe("buildChildEnv with static credentials (exec)", () => {
  const exports = buildExportSet({ credentials: creds, region: "us-east-1", roleArn: ROLE });
  const env = buildChildEnv(PARENT, exports);

  it("sets exactly what the sh format exports", () => {
    for (const [name, value] of exports.set) expect(env[name]).toBe(value);
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: "new-secret",
      AWS_SESSION_TOKEN: "new-token",
      AWS_CREDENTIAL_EXPIRATION: "2030-01-02T03:04:05Z",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      ASSUME_ROLE_ARN: ROLE,
      ASSUME_ROLE_ACCESS_KEY_ID: creds.accessKeyId,
    });
  });

  it("drops every stale variable and keeps the rest of the parent's environment", () => {
    for (const name of ["AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_FILE", "AWS_SDK_LOAD_CONFIG"]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(Object.keys(env).filter((k) => k.startsWith("AWS_CONTAINER_"))).toEqual([]);
    expect(env).toMatchObject({
      PATH: "/usr/bin:/bin",
      HOME: "/home/u",
      AWS_CONFIG_FILE: "/etc/aws/config",
      AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:2",
      // env credentials win over web identity in every SDK chain: left for the child's own use
      AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token",
    });
    expect(env).not.toHaveProperty("UNDEFINED_ONE");
  });

  it("long-term keys: no token, expiration or role marker, even if the parent had them", () => {
    const set = buildExportSet({ credentials: { accessKeyId: "AKIANEW", secretAccessKey: "s" } });
    const longTerm = buildChildEnv(PARENT, set);
    expect(longTerm.AWS_ACCESS_KEY_ID).toBe("AKIANEW");
    for (const name of ["AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "ASSUME_ROLE_ARN"]) {
      expect(longTerm).not.toHaveProperty(name);
    }
    // the key marker is whatever the export set says, never the parent's stale one
    expect(longTerm.ASSUME_ROLE_ACCESS_KEY_ID).toBe(new Map(set.set).get("ASSUME_ROLE_ACCESS_KEY_ID"));
    // no region known: the parent's stays
    expect(longTerm.AWS_REGION).toBe("eu-west-1");
  });

  it("does not change the parent object", () => {
    expect(PARENT.AWS_PROFILE).toBe("stale");
  });
});

describe("buildEndpointExportSet / buildChildEnv for a credential endpoint (exec --refresh, serve)", () => {
  const exports = buildEndpointExportSet({ ...ENDPOINT, region: "us-east-1", roleArn: ROLE, hideSharedCredentials: true });
  const env = buildChildEnv(PARENT, exports);

  it("points the child at the endpoint with its token, region and role marker", () => {
    expect(exports.set).toEqual([
      ["AWS_CONTAINER_CREDENTIALS_FULL_URI", ENDPOINT.url],
      ["AWS_CONTAINER_AUTHORIZATION_TOKEN", ENDPOINT.token],
      ["AWS_REGION", "us-east-1"],
      ["AWS_DEFAULT_REGION", "us-east-1"],
      ["AWS_SHARED_CREDENTIALS_FILE", "/dev/null"],
      ["ASSUME_ROLE_ARN", ROLE],
    ]);
    // serve's lines go into a user's shell: its credentials file stays visible there
    const served = buildEndpointExportSet({ ...ENDPOINT, region: "us-east-1", roleArn: ROLE });
    expect(served.set.map(([name]) => name)).not.toContain("AWS_SHARED_CREDENTIALS_FILE");
  });

  it("leaves nothing that SDK chains try before container credentials", () => {
    const winners = [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_SECURITY_TOKEN",
      "AWS_CREDENTIAL_EXPIRATION",
      "AWS_PROFILE",
      "AWS_DEFAULT_PROFILE",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", // beats FULL_URI
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", // beats the token
      "AWS_WEB_IDENTITY_TOKEN_FILE", // tried before the endpoint
      "AWS_ROLE_ARN",
      "ASSUME_ROLE_ACCESS_KEY_ID",
    ];
    for (const name of winners) {
      expect(exports.unset).toContain(name);
      expect(env).not.toHaveProperty(name);
    }
    expect(new Set(exports.unset).size).toBe(exports.unset.length);
    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBe(ENDPOINT.url);
    expect(env.AWS_CONTAINER_AUTHORIZATION_TOKEN).toBe(ENDPOINT.token);
  });

  it("without a role or region: the marker is cleared, the parent's region kept", () => {
    const bare = buildEndpointExportSet(ENDPOINT);
    expect(bare.unset).toContain("ASSUME_ROLE_ARN");
    expect(buildChildEnv(PARENT, bare).AWS_REGION).toBe("eu-west-1");
  });
});

describe("tailAfterDoubleDash (what commander appended after `--`)", () => {
  it.each<[string, string[], string[], string[] | undefined]>([
    ["roles then command", ["Deploy", "Prod", "--", "cmd", "-v"], ["Deploy", "Prod", "cmd", "-v"], ["cmd", "-v"]],
    ["options between", ["-d", "1h", "Deploy", "--", "cmd"], ["Deploy", "cmd"], ["cmd"]],
    ["no roles", ["--", "sh", "-c", "x"], ["sh", "-c", "x"], ["sh", "-c", "x"]],
    ["a later `--` belongs to the command", ["--", "sh", "--", "x"], ["sh", "--", "x"], ["sh", "--", "x"]],
    ["`--` as an option's value", ["--external-id", "--", "Role", "--", "cmd"], ["Role", "cmd"], ["cmd"]],
    ["empty tail", ["Deploy", "--"], ["Deploy"], []],
    ["no `--`", ["Deploy", "cmd"], ["Deploy", "cmd"], undefined],
  ])("%s", (_name, argv, operands, tail) => expect(tailAfterDoubleDash(argv, operands)).toEqual(tail));
});

describe("exitStatus and shouldForward", () => {
  it.each<[number | null, NodeJS.Signals | null, number]>([
    [0, null, 0],
    [3, null, 3],
    [255, null, 255],
    [null, "SIGTERM", 143],
    [null, "SIGINT", 130],
    [null, "SIGKILL", 137],
    [null, "SIGHUP", 129],
  ])("code %s signal %s → %s", (code, signal, status) => expect(exitStatus(code, signal)).toBe(status));

  it.each<[NodeJS.Signals, number, boolean, boolean]>([
    ["SIGTERM", 1, true, true],
    ["SIGHUP", 1, true, true],
    ["SIGTERM", 1, false, true],
    ["SIGINT", 1, false, true],
    ["SIGQUIT", 1, false, true],
    // at a terminal the keyboard already signalled the child's process group: only repeats are sent
    ["SIGINT", 1, true, false],
    ["SIGQUIT", 1, true, false],
    ["SIGINT", 2, true, true],
  ])("%s #%s (terminal %s) → forward %s", (signal, count, tty, forward) => expect(shouldForward(signal, count, tty)).toBe(forward));
});
