import { describe, expect, it } from "vitest";
import { parsePolicy, type PolicyKind } from "../../src/sandbox/policy-document.js";
import {
  conditionHolds,
  evaluatePolicy,
  wildcardMatch,
  type PrincipalContext,
  type RequestContext,
} from "../../src/sandbox/policy.js";

const ROLE_ARN = "arn:aws:iam::222222222222:role/Target";
const roleSession: PrincipalContext = {
  type: "AssumedRole",
  arn: "arn:aws:iam::123456789012:role/ExampleRole",
  sessionArn: "arn:aws:sts::123456789012:assumed-role/ExampleRole/i-0123456789abcdef0",
  accountId: "123456789012",
};
const alice: PrincipalContext = {
  type: "User",
  arn: "arn:aws:iam::123456789012:user/alice",
  accountId: "123456789012",
};
const ec2: PrincipalContext = { type: "Service", service: "ec2.amazonaws.com" };

function request(over: Partial<RequestContext> = {}): RequestContext {
  return { action: "sts:AssumeRole", resource: ROLE_ARN, principal: roleSession, keys: {}, ...over };
}

function policy(statement: unknown, kind: PolicyKind) {
  return parsePolicy({ Version: "2012-10-17", Statement: statement }, "p", kind);
}

const allowTrust = (principal: unknown, extra: object = {}) =>
  policy({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }, "trust");

describe("wildcardMatch", () => {
  it.each([
    ["sts:*", "sts:AssumeRole", true, true],
    ["sts:assume*", "sts:AssumeRole", true, true],
    ["sts:assume*", "sts:AssumeRole", false, false],
    ["sts:Assume????", "sts:AssumeRole", true, true],
    ["sts:Assume???", "sts:AssumeRole", true, false],
    ["arn:aws:iam::222222222222:role/*", ROLE_ARN, false, true],
    ["arn:aws:iam::*:role/Tar?et", ROLE_ARN, false, true],
    ["arn:aws:iam::222222222222:role/target", ROLE_ARN, false, false],
    ["a.b", "axb", false, false],
    ["(x)+", "(x)+", false, true],
  ])("%s vs %s (ignoreCase=%s) → %s", (pattern, value, ignoreCase, expected) => {
    expect(wildcardMatch(pattern, value, ignoreCase)).toBe(expected);
  });
});

describe("principal forms in trust policies", () => {
  it.each([
    ["everyone", "*", roleSession, "Allow"],
    ["everyone incl. services", "*", ec2, "Allow"],
    ['{"AWS":"*"}', { AWS: "*" }, alice, "Allow"],
    ['{"AWS":"*"} is not a service', { AWS: "*" }, ec2, "ImplicitDeny"],
    ["account id", { AWS: "123456789012" }, roleSession, "Allow"],
    ["other account id", { AWS: "999999999999" }, roleSession, "ImplicitDeny"],
    ["account root ARN", { AWS: "arn:aws:iam::123456789012:root" }, alice, "Allow"],
    ["role ARN matches its sessions", { AWS: "arn:aws:iam::123456789012:role/ExampleRole" }, roleSession, "Allow"],
    ["role ARN does not match a user", { AWS: "arn:aws:iam::123456789012:role/ExampleRole" }, alice, "ImplicitDeny"],
    ["user ARN", { AWS: "arn:aws:iam::123456789012:user/alice" }, alice, "Allow"],
    ["user ARN does not match a role", { AWS: "arn:aws:iam::123456789012:user/alice" }, roleSession, "ImplicitDeny"],
    ["session ARN", { AWS: roleSession.sessionArn }, roleSession, "Allow"],
    ["list of ARNs", { AWS: ["arn:aws:iam::111111111111:root", alice.arn] }, alice, "Allow"],
    ["service", { Service: "ec2.amazonaws.com" }, ec2, "Allow"],
    ["service list", { Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] }, ec2, "Allow"],
    ["other service", { Service: "lambda.amazonaws.com" }, ec2, "ImplicitDeny"],
    ["service principal is not an AWS principal", { Service: "ec2.amazonaws.com" }, roleSession, "ImplicitDeny"],
  ])("%s", (_name, principal, who, expected) => {
    expect(evaluatePolicy(allowTrust(principal), request({ principal: who }))).toBe(expected);
  });

  it("NotPrincipal matches everyone but the named principal", () => {
    const p = policy({ Effect: "Allow", NotPrincipal: { AWS: alice.arn }, Action: "sts:AssumeRole" }, "trust");
    expect(evaluatePolicy(p, request({ principal: alice }))).toBe("ImplicitDeny");
    expect(evaluatePolicy(p, request({ principal: roleSession }))).toBe("Allow");
  });
});

describe("actions and resources in identity policies", () => {
  const identity = (statement: unknown) => policy(statement, "identity");
  it.each([
    ["exact", { Action: "sts:AssumeRole", Resource: ROLE_ARN }, "Allow"],
    ["case-insensitive action", { Action: "STS:assumerole", Resource: ROLE_ARN }, "Allow"],
    ["action wildcard", { Action: "sts:Assume*", Resource: ROLE_ARN }, "Allow"],
    ["action list", { Action: ["s3:GetObject", "sts:AssumeRole"], Resource: "*" }, "Allow"],
    ["other action", { Action: "sts:GetSessionToken", Resource: "*" }, "ImplicitDeny"],
    ["resource wildcard", { Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/*" }, "Allow"],
    ["resource is case-sensitive", { Action: "sts:AssumeRole", Resource: ROLE_ARN.toLowerCase() }, "ImplicitDeny"],
    ["other account", { Action: "sts:AssumeRole", Resource: "arn:aws:iam::333333333333:role/*" }, "ImplicitDeny"],
    ["NotAction", { NotAction: "s3:*", Resource: "*" }, "Allow"],
    ["NotAction excluding it", { NotAction: "sts:*", Resource: "*" }, "ImplicitDeny"],
    ["NotResource", { Action: "*", NotResource: "arn:aws:iam::*:role/Other" }, "Allow"],
    ["NotResource excluding it", { Action: "*", NotResource: "arn:aws:iam::*:role/T*" }, "ImplicitDeny"],
  ])("%s", (_name, statement, expected) => {
    expect(evaluatePolicy(identity({ Effect: "Allow", ...statement }), request())).toBe(expected);
  });

  it("an explicit Deny wins over any Allow, in any order", () => {
    const allow = { Effect: "Allow", Action: "sts:*", Resource: "*" };
    const deny = { Effect: "Deny", Action: "sts:AssumeRole", Resource: ROLE_ARN };
    expect(evaluatePolicy(identity([allow, deny]), request())).toBe("ExplicitDeny");
    expect(evaluatePolicy(identity([deny, allow]), request())).toBe("ExplicitDeny");
  });

  it("a Deny that does not apply leaves the Allow", () => {
    const p = policy(
      [
        { Effect: "Allow", Action: "sts:*", Resource: "*" },
        { Effect: "Deny", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/Admin*" },
      ],
      "identity",
    );
    expect(evaluatePolicy(p, request())).toBe("Allow");
  });

  it("no statement applies → implicit deny", () => {
    expect(evaluatePolicy(parsePolicy({ Statement: [] }, "p", "identity"), request())).toBe("ImplicitDeny");
  });
});

describe("condition operators", () => {
  const keys = new Map([
    ["sts:externalid", "example-external-id"],
    ["aws:multifactorauthpresent", "true"],
    ["aws:multifactorauthage", "120"],
    ["aws:principalarn", roleSession.arn ?? ""],
    ["aws:principalaccount", "123456789012"],
  ]);
  it.each([
    ["StringEquals", "sts:ExternalId", ["example-external-id"], true],
    ["StringEquals", "sts:ExternalId", ["Example-External-Id"], false],
    ["StringEquals (any of)", "sts:ExternalId", ["a", "example-external-id"], true],
    ["StringEquals key names are case-insensitive", "STS:EXTERNALID", ["example-external-id"], true],
    ["StringEqualsIgnoreCase", "sts:ExternalId", ["EXAMPLE-external-ID"], true],
    ["StringNotEquals", "sts:ExternalId", ["other"], true],
    ["StringNotEquals (none of)", "sts:ExternalId", ["other", "example-external-id"], false],
    ["StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/Example*"], true],
    ["StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:user/*"], false],
    ["StringNotLike", "aws:PrincipalArn", ["arn:aws:iam::*:user/*"], true],
    ["Bool", "aws:MultiFactorAuthPresent", ["true"], true],
    ["Bool", "aws:MultiFactorAuthPresent", ["false"], false],
    ["NumericLessThan", "aws:MultiFactorAuthAge", ["3600"], true],
    ["NumericLessThan", "aws:MultiFactorAuthAge", ["120"], false],
    ["NumericLessThanEquals", "aws:MultiFactorAuthAge", ["120"], true],
    ["NumericGreaterThan", "aws:MultiFactorAuthAge", ["60"], true],
    ["NumericGreaterThan", "aws:MultiFactorAuthAge", ["120"], false],
    ["NumericGreaterThanEquals", "aws:MultiFactorAuthAge", ["120"], true],
    ["NumericEquals", "aws:MultiFactorAuthAge", ["120"], true],
    ["NumericLessThan (not a number)", "aws:MultiFactorAuthAge", ["abc"], false],
    ["StringEquals on account", "aws:PrincipalAccount", ["123456789012"], true],
    ["ArnLike", "aws:PrincipalArn", ["arn:aws:iam::123456789012:role/*"], true],
    ["Null false: key present", "sts:ExternalId", ["false"], true],
    ["Null true: key present", "sts:ExternalId", ["true"], false],
  ])("%s %s %j → %s", (operator, key, values, expected) => {
    const op = operator.split(" ")[0] ?? operator;
    expect(conditionHolds({ operator: op, key, values }, keys)).toBe(expected);
  });

  it.each([
    ["StringEquals", false],
    ["StringLike", false],
    ["Bool", false],
    ["NumericLessThan", false],
    ["NumericGreaterThanEquals", false],
    ["StringNotEquals", true],
    ["StringNotLike", true],
    ["StringEqualsIfExists", true],
    ["BoolIfExists", true],
  ])("missing key under %s → %s", (operator, expected) => {
    expect(conditionHolds({ operator, key: "aws:MultiFactorAuthAge", values: ["1"] }, new Map())).toBe(expected);
  });

  it.each([
    ["true", true],
    ["false", false],
  ])("missing key under Null %s → %s", (value, expected) => {
    expect(conditionHolds({ operator: "Null", key: "sts:ExternalId", values: [value] }, new Map())).toBe(expected);
  });

  it("every condition of a statement must hold (AND across keys and operators)", () => {
    const p = allowTrust(
      { AWS: "123456789012" },
      {
        Condition: {
          Bool: { "aws:MultiFactorAuthPresent": "true" },
          NumericLessThan: { "aws:MultiFactorAuthAge": 3600 },
        },
      },
    );
    const ask = (k: Record<string, string>) => evaluatePolicy(p, request({ keys: k }));
    expect(ask({ "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "10" })).toBe("Allow");
    expect(ask({ "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "4000" })).toBe("ImplicitDeny");
    expect(ask({ "aws:MultiFactorAuthPresent": "false", "aws:MultiFactorAuthAge": "10" })).toBe("ImplicitDeny");
    expect(ask({})).toBe("ImplicitDeny");
  });

  it("a conditional Deny only denies when its condition holds", () => {
    const p = policy(
      [
        { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { Null: { "sts:ExternalId": "true" } } },
      ],
      "trust",
    );
    expect(evaluatePolicy(p, request())).toBe("ExplicitDeny");
    expect(evaluatePolicy(p, request({ keys: { "sts:ExternalId": "x1" } }))).toBe("Allow");
  });
});
