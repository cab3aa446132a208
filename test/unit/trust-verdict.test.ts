import { describe, expect, it } from "vitest";
import { trustVerdict, type TrustRequest } from "../../src/doctor/trust-verdict.js";

const ROLE = "arn:aws:iam::123456789012:role/Caller";
const request: TrustRequest = {
  principalArn: ROLE,
  sessionArn: "arn:aws:sts::123456789012:assumed-role/Caller/s",
  accountId: "123456789012",
  actions: ["sts:AssumeRole"],
  keys: { "sts:ExternalId": "x-1" },
};
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const allow = (extra: object = {}) => ({ Effect: "Allow", Principal: { AWS: ROLE }, Action: "sts:AssumeRole", ...extra });

describe("trustVerdict (doctor's reading of a trust policy)", () => {
  const table: [string, unknown, TrustRequest, "allows" | "denies" | "unknown"][] = [
    ["the caller's role ARN", doc(allow()), request, "allows"],
    ["the account root", doc(allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })), request, "allows"],
    ["the bare account id", doc(allow({ Principal: { AWS: "123456789012" } })), request, "allows"],
    ["another account", doc(allow({ Principal: { AWS: "arn:aws:iam::999999999999:root" } })), request, "denies"],
    ["a service principal only", doc(allow({ Principal: { Service: "ec2.amazonaws.com" } })), request, "denies"],
    ["sts:* in a list", doc(allow({ Action: ["sts:Tag*", "sts:*"] })), request, "allows"],
    ["ExternalId matches", doc(allow({ Condition: { StringEquals: { "sts:ExternalId": "x-1" } } })), request, "allows"],
    ["ExternalId differs", doc(allow({ Condition: { StringEquals: { "sts:ExternalId": "x-2" } } })), request, "denies"],
    ["ExternalId like", doc(allow({ Condition: { StringLike: { "sts:externalid": "x-*" } } })), request, "allows"],
    ["MFA wanted, none sent", doc(allow({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })), request, "denies"],
    ["an explicit Deny wins", doc(allow(), { Effect: "Deny", Principal: "*", Action: "sts:*" }), request, "denies"],
    ["an operator it cannot judge", doc(allow({ Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })), request, "unknown"],
    ["TagSession needed but not allowed", doc(allow()), { ...request, actions: ["sts:AssumeRole", "sts:TagSession"] }, "denies"],
    ["not a policy", "garbage", request, "unknown"],
  ];
  for (const [name, policy, req, verdict] of table) {
    it(`${name}: ${verdict}`, () => expect(trustVerdict(policy, req).verdict).toBe(verdict));
  }
});
