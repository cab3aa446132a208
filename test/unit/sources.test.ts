import { describe, expect, it } from "vitest";
import { BadAnswerError, ConfigError, NoCredentialsError } from "../../src/errors.js";
import { imdsConfigFromEnv } from "../../src/imds/imds-config.js";
import { parseIdentityDocument, parseImdsCredentials, parseRoleListing } from "../../src/imds/parse-imds.js";
import { envSource } from "../../src/sources/env-source.js";
import { resolveSource } from "../../src/sources/resolve-source.js";
import { SourceSkipped } from "../../src/sources/source-skipped.js";
import type { SourceResult } from "../../src/types.js";

describe("imdsConfigFromEnv", () => {
  it("defaults to the IPv4 endpoint, 1 s, 1 attempt, v1 allowed", () => {
    expect(imdsConfigFromEnv({})).toEqual({
      endpoint: "http://169.254.169.254", // the configured default, a value only: tests never contact it
      disabled: false,
      v1Disabled: false,
      timeoutMs: 1000,
      timeoutExplicit: false,
      attempts: 1,
    });
  });

  it.each([
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1234/" }, "endpoint", "http://127.0.0.1:1234"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv6" }, "endpoint", "http://[fd00:ec2::254]"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv4" }, "endpoint", "http://169.254.169.254"], // a value, never contacted
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9", AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" }, "endpoint", "http://127.0.0.1:9"],
    [{ AWS_EC2_METADATA_DISABLED: "TRUE" }, "disabled", true],
    [{ AWS_EC2_METADATA_DISABLED: "1" }, "disabled", false],
    [{ AWS_EC2_METADATA_V1_DISABLED: "true" }, "v1Disabled", true],
    [{ AWS_METADATA_SERVICE_TIMEOUT: "0.25" }, "timeoutMs", 250],
    [{ AWS_METADATA_SERVICE_NUM_ATTEMPTS: "3" }, "attempts", 3],
  ])("%j → %s = %j", (env, key, value) => {
    expect(imdsConfigFromEnv(env)[key as keyof ReturnType<typeof imdsConfigFromEnv>]).toEqual(value);
  });

  it.each([
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT: "not a url" }, "AWS_EC2_METADATA_SERVICE_ENDPOINT 'not a url'"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT: "ftp://x" }, "must be an http"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv7" }, "expected IPv4 or IPv6"],
    [{ AWS_METADATA_SERVICE_TIMEOUT: "-1" }, "AWS_METADATA_SERVICE_TIMEOUT '-1'"],
  ])("%j is a configuration error", (env, message) => {
    expect(() => imdsConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => imdsConfigFromEnv(env)).toThrow(message);
  });
});

describe("IMDS payloads", () => {
  it("parses the credentials document EC2 serves", () => {
    const body = JSON.stringify({
      Code: "Success",
      LastUpdated: "2026-11-21T07:00:00Z",
      Type: "AWS-HMAC",
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret",
      Token: "token",
      Expiration: "2026-11-21T13:00:00Z",
    });
    expect(parseImdsCredentials(body, "ExampleRole")).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date("2026-11-21T13:00:00Z"),
      lastUpdated: new Date("2026-11-21T07:00:00Z"),
    });
  });

  it("explains an instance role EC2 may not assume", () => {
    const body = JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "EC2 cannot assume the role X." });
    expect(() => parseImdsCredentials(body, "X")).toThrow(NoCredentialsError);
    try {
      parseImdsCredentials(body, "X");
    } catch (err) {
      expect((err as NoCredentialsError).hint).toContain("ec2.amazonaws.com");
    }
  });

  it.each([
    ["<html>404</html>", "with an HTML/XML page"],
    ["", "with an empty body"],
    ['{"Code":"Success","AccessKeyId":"ASIA', "with something that is not a JSON object"],
    ["[]", "with something that is not a JSON object"],
    ["{}", "without AccessKeyId, SecretAccessKey, Token and Expiration"],
    ['{"Code":"Success","AccessKeyId":"A"}', "without AccessKeyId, SecretAccessKey, Token and Expiration"],
    ['{"Code":"InternalError","Message":"try later"}', 'with Code "InternalError", not Success: try later'],
    ['{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"soon"}', "with an invalid Expiration 'soon'"],
  ])("an answer not per protocol is exit 6 (BadAnswerError), one line, never quoting the body: %s", (body, says) => {
    const err = (() => {
      try {
        parseImdsCredentials(body, "R");
      } catch (e) {
        return e as BadAnswerError;
      }
      throw new Error("accepted");
    })();
    expect(err).toBeInstanceOf(BadAnswerError);
    expect(err.exitCode).toBe(6);
    expect(err.message).toBe(`IMDS answered iam/security-credentials/R ${says}`);
    expect(err.hint).toBeDefined();
  });

  it("a role listing that is not a role name (a portal's page) is exit 6, not a role called <!DOCTYPE", () => {
    expect(() => parseRoleListing("<!DOCTYPE html>\n<html></html>")).toThrow(BadAnswerError);
    expect(() => parseRoleListing("<!DOCTYPE html>")).toThrow("IMDS answered iam/security-credentials/ with an HTML/XML page");
    expect(() => parseIdentityDocument("<html></html>")).toThrow("IMDS answered instance-identity/document with an HTML/XML page");
    expect(() => parseIdentityDocument("{}")).toThrow(BadAnswerError);
  });

  it("reads the identity document and the role listing", () => {
    const doc = { accountId: "123456789012", instanceId: "i-0123456789abcdef0", region: "us-east-1", version: "2017-09-30" };
    expect(parseIdentityDocument(JSON.stringify(doc))).toEqual({ accountId: "123456789012", instanceId: "i-0123456789abcdef0", region: "us-east-1" });
    expect(parseRoleListing("ExampleRole\n")).toBe("ExampleRole");
    expect(parseRoleListing("")).toBeUndefined();
  });
});

describe("envSource", () => {
  const keys = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
  it("reads long-term keys as a non-session caller", () => {
    expect(envSource(keys, { skipOwnExports: true })).toEqual({
      kind: "env",
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret", sessionToken: undefined, expiration: undefined },
    });
  });

  it("temporary keys carry their session token (or the legacy AWS_SECURITY_TOKEN)", () => {
    const temp = { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
    expect(envSource({ ...temp, AWS_SESSION_TOKEN: "t" }, { skipOwnExports: true }).credentials.sessionToken).toBe("t");
    expect(envSource({ ...temp, AWS_SECURITY_TOKEN: "t" }, { skipOwnExports: true }).credentials.sessionToken).toBe("t");
  });

  it("drops a stale session token next to a long-term key, with a warning", () => {
    const warnings: string[] = [];
    const result = envSource({ ...keys, AWS_SESSION_TOKEN: "stale" }, { skipOwnExports: true, warn: (l) => warnings.push(l) });
    expect(result.credentials.sessionToken).toBeUndefined();
    expect(warnings).toEqual(["warning: ignoring AWS_SESSION_TOKEN: AWS_ACCESS_KEY_ID is a long-term key (AKIA…), which takes no token"]);
  });

  it("recognises its own exports before complaining about a half-cleared pair", () => {
    const env = { AWS_ACCESS_KEY_ID: "ASIAOWN", ASSUME_ROLE_ACCESS_KEY_ID: "ASIAOWN" };
    expect(() => envSource(env, { skipOwnExports: true })).toThrow(SourceSkipped);
  });

  it("skips when unset or blank, fails when half set", () => {
    expect(() => envSource({}, { skipOwnExports: true })).toThrow(SourceSkipped);
    expect(() => envSource({ AWS_ACCESS_KEY_ID: " ", AWS_SECRET_ACCESS_KEY: "" }, { skipOwnExports: true })).toThrow(SourceSkipped);
    expect(() => envSource({ AWS_ACCESS_KEY_ID: "A" }, { skipOwnExports: true })).toThrow(
      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
    );
    expect(() => envSource({ ...keys, AWS_CREDENTIAL_EXPIRATION: "soon" }, { skipOwnExports: true })).toThrow(ConfigError);
  });

  it("skips credentials it exported itself only when asked to", () => {
    const env = { ...keys, ASSUME_ROLE_ARN: "arn:aws:iam::1:role/R", ASSUME_ROLE_ACCESS_KEY_ID: "AKIAEXAMPLE" };
    expect(() => envSource(env, { skipOwnExports: true })).toThrow(/previous assume-role run/);
    expect(envSource(env, { skipOwnExports: false }).credentials.accessKeyId).toBe("AKIAEXAMPLE");
    expect(envSource({ ...env, ASSUME_ROLE_ACCESS_KEY_ID: "OTHER" }, { skipOwnExports: true }).kind).toBe("env");
  });
});

describe("resolveSource", () => {
  const imdsResult: SourceResult = {
    kind: "imds",
    credentials: { accessKeyId: "ASIAIMDS", secretAccessKey: "s", sessionToken: "t" },
  };
  const keys = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
  const skip = (reason: string) => async (): Promise<SourceResult> => {
    throw new SourceSkipped(reason);
  };
  const deps = (env: Record<string, string>, imds = async () => imdsResult) => ({
    env,
    imds,
    container: skip("no container"),
    webIdentity: skip("no web identity"),
    process: skip("no process"),
    sso: skip("no sso"),
    debug: () => {},
  });

  it("auto prefers foreign environment credentials, then IMDS", async () => {
    expect((await resolveSource({ kind: "auto" }, deps(keys))).kind).toBe("env");
    expect((await resolveSource({ kind: "auto" }, deps({}))).kind).toBe("imds");
    const own = { ...keys, ASSUME_ROLE_ACCESS_KEY_ID: "AKIAEXAMPLE" };
    expect((await resolveSource({ kind: "auto" }, deps(own))).kind).toBe("imds");
  });

  it("stops at a source that is configured but broken", async () => {
    await expect(resolveSource({ kind: "auto" }, deps({ AWS_ACCESS_KEY_ID: "A" }))).rejects.toThrow(ConfigError);
    const down = async (): Promise<SourceResult> => {
      throw new NoCredentialsError("IMDS could not be reached");
    };
    await expect(resolveSource({ kind: "auto" }, deps({}, down))).rejects.toThrow("IMDS could not be reached");
  });

  it("an explicit source that is not configured is exit 3 naming the source", async () => {
    await expect(resolveSource({ kind: "env" }, deps({}))).rejects.toThrow("--source env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    const skipped = async (): Promise<SourceResult> => {
      throw new SourceSkipped("IMDS is disabled by AWS_EC2_METADATA_DISABLED=true");
    };
    await expect(resolveSource({ kind: "auto" }, deps({}, skipped))).rejects.toThrow(/no source credentials: .*not set; no web identity; no container; IMDS is disabled/);
  });
});

describe("buildExportSet", () => {
  it("always marks the exported key as its own, even without a role", async () => {
    const { buildExportSet } = await import("../../src/outputs/export-set.js");
    const set = buildExportSet({ credentials: { accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t" } });
    expect(set.set).toContainEqual(["ASSUME_ROLE_ACCESS_KEY_ID", "ASIAX"]);
    expect(set.unset).toContain("ASSUME_ROLE_ARN");
  });
});
