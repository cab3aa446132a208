/** The imds command's warnings, from an inspection (pure): each fires on its state only, and says what to do. */
import { describe, expect, it } from "vitest";
import { NoCredentialsError } from "../../src/errors.js";
import { imdsWarnings, servedRoleName, spanText } from "../../src/imds/imds-warnings.js";
import type { ImdsInspection } from "../../src/imds/inspect-imds.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const A = "123456789012";
const ok = <T>(value: T) => ({ ok: true as const, value });
const missing = { ok: false as const, error: new NoCredentialsError("IMDS could not be reached") };

function healthy(over: Partial<ImdsInspection> = {}): ImdsInspection {
  return {
    endpoint: "http://127.0.0.1:1",
    token: ok({ issued: true as const }),
    v2: { enforced: false },
    instanceId: ok("i-0123456789abcdef0"),
    region: ok("us-east-1"),
    instanceProfile: ok({ arn: `arn:aws:iam::${A}:instance-profile/app`, name: "app", id: "AIPAEXAMPLE", accountId: A, partition: "aws" }),
    role: ok("app"),
    credentials: ok({ lastUpdated: new Date(NOW.getTime() - 600_000), expiration: new Date(NOW.getTime() + 5 * 3600_000) }),
    identity: ok({ account: A, arn: `arn:aws:sts::${A}:assumed-role/app/i-0123456789abcdef0`, userId: "AROAEXAMPLE:i-0123456789abcdef0" }),
    ...over,
  };
}

const codes = (i: ImdsInspection, staleAfter = 3600) => imdsWarnings(i, NOW, staleAfter).map((w) => w.code);

describe("imdsWarnings", () => {
  it.each<[string, Partial<ImdsInspection>, string[]]>([
    ["a healthy instance", {}, []],
    ["credentials of another role", { identity: ok({ account: A, arn: `arn:aws:sts::${A}:assumed-role/old/i-1`, userId: "x" }) }, ["role-mismatch"]],
    ["credentials of an IAM user", { identity: ok({ account: A, arn: `arn:aws:iam::${A}:user/bob`, userId: "x" }) }, ["role-mismatch"]],
    ["identity unknown: no mismatch claimed", { identity: missing }, []],
    ["role unknown: no mismatch claimed", { role: missing, identity: ok({ account: A, arn: `arn:aws:sts::${A}:assumed-role/old/i-1`, userId: "x" }) }, []],
    ["a profile named apart from its role", { instanceProfile: ok({ arn: `arn:aws:iam::${A}:instance-profile/p/web`, name: "web", id: undefined, accountId: A, partition: "aws" }) }, ["profile-name"]],
    ["credentials updated 61 minutes ago", { credentials: ok({ lastUpdated: new Date(NOW.getTime() - 61 * 60_000), expiration: new Date(NOW.getTime() + 3600_000) }) }, ["stale-credentials"]],
    ["credentials updated exactly an hour ago", { credentials: ok({ lastUpdated: new Date(NOW.getTime() - 3600_000), expiration: new Date(NOW.getTime() + 3600_000) }) }, []],
    ["no LastUpdated", { credentials: ok({ lastUpdated: undefined, expiration: new Date(NOW.getTime() + 3600_000) }) }, []],
    ["expired credentials", { credentials: ok({ lastUpdated: new Date(NOW.getTime() - 600_000), expiration: new Date(NOW.getTime() - 1000) }) }, ["expired-credentials"]],
    ["the token PUT unanswered while GETs answer", { token: ok({ issued: false as const, unanswered: true, reason: "no answer" }) }, ["token-unanswered"]],
    ["no token because of HTTP 405: not the hop limit", { token: ok({ issued: false as const, unanswered: false, reason: "HTTP 405" }) }, []],
  ])("%s", (_name, over, expected) => {
    expect(codes(healthy(over))).toEqual(expected);
  });

  it("the threshold is the caller's", () => {
    const old = healthy({ credentials: ok({ lastUpdated: new Date(NOW.getTime() - 3 * 3600_000), expiration: new Date(NOW.getTime() + 3600_000) }) });
    expect(codes(old)).toEqual(["stale-credentials"]);
    expect(codes(old, 4 * 3600)).toEqual([]);
  });

  it("the role-swap warning names both roles and seed 004's remedies", () => {
    const [w] = imdsWarnings(healthy({ identity: ok({ account: A, arn: `arn:aws:sts::${A}:assumed-role/old/i-1`, userId: "x" }) }), NOW, 3600);
    expect(w!.message).toBe(`IMDS lists role app, but STS says the credentials it serves are arn:aws:sts::${A}:assumed-role/old/i-1`);
    expect(w!.remedy).toMatch(/up to about an hour.*up to 6 hours.*stop and start the instance \(a reboot is not enough\).*new instance profile/);
  });
});

describe("servedRoleName and spanText", () => {
  it.each([
    [`arn:aws:sts::${A}:assumed-role/app/i-1`, "app"],
    [`arn:aws-cn:sts::${A}:assumed-role/a.b@c/sess`, "a.b@c"],
    [`arn:aws:iam::${A}:user/bob`, undefined],
  ])("%s → %s", (arn, role) => expect(servedRoleName(arn)).toBe(role));

  it.each([
    [0, "0s"],
    [59, "59s"],
    [60, "1m"],
    [3599, "59m"],
    [3600, "1h"],
    [3 * 3600 + 120, "3h 2m"],
  ])("%d s → %s", (s, text) => expect(spanText(s)).toBe(text));
});
