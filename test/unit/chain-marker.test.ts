import { describe, expect, it } from "vitest";
import { formatChainMarker, parseChainMarker, sourceLabel } from "../../src/chain-marker.js";
import { buildPlan } from "../../src/plan/build-plan.js";

const A = "arn:aws:iam::111111111111:role/A";
const B = "arn:aws:iam::222222222222:role/team/B";

describe("ASSUME_ROLE_CHAIN", () => {
  it.each([
    [{ source: "imds", roles: [A, B] }, `imds > ${A} > ${B}`],
    [{ source: "profile:dev", roles: [A] }, `profile:dev > ${A}`],
    [{ source: "env", roles: ["Deploy"] }, "env > Deploy"],
    [{ source: "container", roles: [] }, "container"],
  ])("%j reads back from %s", (path, text) => {
    expect(formatChainMarker(path)).toBe(text);
    expect(parseChainMarker(text)).toEqual(path);
  });

  it.each([
    ["", "empty"],
    [`IMDS > ${A}`, "a source this tool does not write"],
    [`imds > ${A} > not a role`, "a role with a space"],
    [`imds > ${A}\x1b[31m`, "a control character"],
    [`imds >> ${A}`, "a broken separator"],
  ])("refuses %j (%s)", (text) => {
    expect(parseChainMarker(text)).toBeUndefined();
  });

  it("names the source from the plan alone: the kind, or the profile that holds the keys", () => {
    expect(sourceLabel(buildPlan({ roles: [A], env: {} }))).toBe("imds");
    expect(sourceLabel(buildPlan({ roles: [A], env: { AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "s" } }))).toBe("env");
  });
});
