import { describe, expect, it } from "vitest";
import { addProfileRegion } from "../../src/config/config-region-edit.js";

describe("addProfileRegion", () => {
  it.each([
    ["empty file: the section is created", "", "ci", "[profile ci]\nregion = eu-west-1\n"],
    ["default is [default], not [profile default]", "[profile x]\nk = v\n", "default", "[profile x]\nk = v\n\n[default]\nregion = eu-west-1\n"],
    ["[profile default] counts as default", "[profile default]\noutput = json\n", "default", "[profile default]\noutput = json\nregion = eu-west-1\n"],
    ["extra blanks in the header", "[ profile \t ci ]\noutput = json\n# note\n", "ci", "[ profile \t ci ]\noutput = json\nregion = eu-west-1\n# note\n"],
    ["an empty section: right after its header", "[profile ci]\n[profile b]\n", "ci", "[profile ci]\nregion = eu-west-1\n[profile b]\n"],
    ["CRLF and no final newline kept", "[profile ci]\r\noutput = json", "ci", "[profile ci]\r\noutput = json\r\nregion = eu-west-1"],
    ["[ci] without `profile` is not the profile in a config file", "[ci]\nregion = x\n", "ci", "[ci]\nregion = x\n\n[profile ci]\nregion = eu-west-1\n"],
  ])("%s", (_name, original, name, expected) => {
    expect(addProfileRegion(original, name, "eu-west-1").text).toBe(expected);
  });

  it("a section with a region (any case of the key) is left alone and its region reported", () => {
    expect(addProfileRegion("[profile ci]\nREGION = us-west-2\n", "ci", "eu-west-1")).toEqual({ existingRegion: "us-west-2", sourceKeys: [], duplicateLines: [] });
  });

  it("a duplicated section is not written; its header lines are reported", () => {
    expect(addProfileRegion("[profile ci]\n[profile b]\n[profile ci]\n", "ci", "eu-west-1")).toEqual({ sourceKeys: [], duplicateLines: [1, 3] });
  });

  it("reports keys the SDKs would use instead of written credentials", () => {
    expect(addProfileRegion("[profile ci]\nrole_arn = arn:aws:iam::1:role/x\ncredential_process = x\n", "ci", "eu-west-1").sourceKeys).toEqual(["role_arn", "credential_process"]);
  });
});
