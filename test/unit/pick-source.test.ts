/** effectiveSource / sourceIsRoleSession: what `auto` will be and whether its credentials are a role session, from the environment alone. */
import { describe, expect, it } from "vitest";
import { effectiveSource, sourceIsRoleSession } from "../../src/plan/pick-source.js";
import type { EffectiveSource, SourcePlan } from "../../src/types.js";

type Env = Record<string, string>;
const KEYS = { AWS_ACCESS_KEY_ID: "AKIAUSER", AWS_SECRET_ACCESS_KEY: "s" };
const WEB = { AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token", AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/W" };
const GITHUB = { ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:9/oidc", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t", AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/W" };
const CONTAINER = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" };

describe("effectiveSource: auto, in the documented order", () => {
  it.each<[string, Env, EffectiveSource]>([
    ["nothing set → IMDS", {}, "imds"],
    ["environment keys", KEYS, "env"],
    ["environment keys win over web identity and a container", { ...KEYS, ...WEB, ...CONTAINER }, "env"],
    ["half-set keys still pick the environment (which then says what is missing)", { AWS_SECRET_ACCESS_KEY: "s" }, "env"],
    ["only the key ID set", { AWS_ACCESS_KEY_ID: "AKIAUSER" }, "env"],
    ["assume-role's own exports are skipped", { ...KEYS, ASSUME_ROLE_ACCESS_KEY_ID: "AKIAUSER" }, "imds"],
    ["a stale marker for other keys does not hide them", { ...KEYS, ASSUME_ROLE_ACCESS_KEY_ID: "ASIAOLD" }, "env"],
    ["own exports skipped, then web identity", { ...KEYS, ASSUME_ROLE_ACCESS_KEY_ID: "AKIAUSER", ...WEB }, "web-identity"],
    ["blank keys are unset", { AWS_ACCESS_KEY_ID: " ", AWS_SECRET_ACCESS_KEY: "" }, "imds"],
    ["web identity token file with AWS_ROLE_ARN", WEB, "web-identity"],
    ["web identity wins over a container", { ...WEB, ...CONTAINER }, "web-identity"],
    ["a token file without AWS_ROLE_ARN is not web identity", { AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }, "imds"],
    ["GitHub's OIDC with AWS_ROLE_ARN", GITHUB, "web-identity"],
    ["GitHub's OIDC URL without its request token", { ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:9/oidc", AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/W" }, "imds"],
    ["container relative URI", CONTAINER, "container"],
    ["container full URI", { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c" }, "container"],
    ["a blank container URI is unset", { AWS_CONTAINER_CREDENTIALS_FULL_URI: "  " }, "imds"],
  ])("%s → %s", (_what, env, kind) => {
    expect(effectiveSource({ kind: "auto" }, env)).toBe(kind);
  });

  it.each<SourcePlan>([
    { kind: "imds" },
    { kind: "env" },
    { kind: "container" },
    { kind: "web-identity" },
    { kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "s" } },
    { kind: "process", profile: "p", command: "c" },
    { kind: "sso", profile: "p", settings: {} },
  ])("a source named by flag or profile is what it says, whatever the environment: $kind", (source) => {
    expect(effectiveSource(source, { ...KEYS, ...WEB })).toBe(source.kind);
  });
});

describe("sourceIsRoleSession", () => {
  const staticKeys = (sessionToken?: string): SourcePlan => ({ kind: "static", profile: "p", credentials: { accessKeyId: "AKIAP", secretAccessKey: "s", sessionToken } });
  it.each<[string, SourcePlan, EffectiveSource, Env, boolean]>([
    ["env long-term keys", { kind: "env" }, "env", KEYS, false],
    ["env temporary keys", { kind: "env" }, "env", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }, true],
    ["env temporary keys, legacy AWS_SECURITY_TOKEN", { kind: "env" }, "env", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SECURITY_TOKEN: "t" }, true],
    ["env ASIA key without a token", { kind: "env" }, "env", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s" }, false],
    ["env AKIA key with a stray token", { kind: "env" }, "env", { ...KEYS, AWS_SESSION_TOKEN: "t" }, false],
    ["env blank token", { kind: "env" }, "env", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: " " }, false],
    ["auto → env", { kind: "auto" }, "env", { AWS_ACCESS_KEY_ID: "ASIAX", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }, true],
    ["static keys", staticKeys(), "static", {}, false],
    ["static keys with a session token", staticKeys("t"), "static", {}, true],
    ["static keys: the environment's token is not theirs", staticKeys(), "static", { AWS_SESSION_TOKEN: "t" }, false],
    ["IMDS", { kind: "imds" }, "imds", {}, true],
    ["container", { kind: "container" }, "container", {}, true],
    ["web identity", { kind: "web-identity" }, "web-identity", {}, true],
    ["credential_process", { kind: "process", profile: "p", command: "c" }, "process", {}, true],
    ["SSO", { kind: "sso", profile: "p", settings: {} }, "sso", {}, true],
  ])("%s → %s", (_what, source, kind, env, expected) => {
    expect(sourceIsRoleSession(source, kind, env)).toBe(expected);
  });
});
