import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editCredentialsSection } from "../../src/config/write-profile-section.js";

const RICH = readFileSync(join(import.meta.dirname, "../fixtures/credentials/rich.ini"), "latin1");
const VALUES: [string, string][] = [
  ["aws_access_key_id", "ASIANEW"],
  ["aws_secret_access_key", "new-secret"],
  ["aws_session_token", "new-token"],
  ["aws_credential_expiration", "2030-01-01T00:00:00.000Z"],
];
const NEW_LINES = VALUES.map(([k, v]) => `${k} = ${v}`);

/** Everything up to and including the line that starts with `marker`, and everything from `next` on. */
function around(text: string, marker: string, next: string | undefined): { before: string; after: string } {
  const start = text.indexOf(`\n${marker}`) + 1;
  const headerEnd = text.indexOf("\n", start) + 1;
  const end = next === undefined ? text.length : text.indexOf(`\n${next}`);
  return { before: text.slice(0, headerEnd), after: text.slice(end) };
}

describe("editCredentialsSection: replacing a section in place", () => {
  it("keeps the header, its comments and other keys; every byte outside the section is unchanged", () => {
    const edit = editCredentialsSection(RICH, "prod", VALUES);
    const { before, after } = around(RICH, "[prod]", "[production]");
    const middle = ["# a comment inside [prod]", ...NEW_LINES, "region = us-west-2", ""].join("\n");
    expect(edit.text).toBe(before + middle + after);
    expect(edit).toMatchObject({ existed: true, longTermKeys: false, sourceKeys: [], duplicateLines: [] });
  });

  it("does the same in a CRLF file, writing CRLF", () => {
    const crlf = RICH.replace(/\n/g, "\r\n");
    const edit = editCredentialsSection(crlf, "prod", VALUES);
    const { before, after } = around(RICH, "[prod]", "[production]");
    const middle = ["# a comment inside [prod]", ...NEW_LINES, "region = us-west-2", ""].join("\n");
    expect(edit.text).toBe((before + middle + after).replace(/\n/g, "\r\n"));
  });

  it("[prod] is not [profile prod] nor [production]; a header with spaces inside the brackets matches", () => {
    const text = "[profile prod]\na = 1\n[production]\nb = 2\n[ prod ]\naws_access_key_id = ASIAOLD\naws_session_token = t\n";
    expect(editCredentialsSection(text, "prod", VALUES.slice(0, 1)).text).toBe(
      "[profile prod]\na = 1\n[production]\nb = 2\n[ prod ]\naws_access_key_id = ASIANEW\n",
    );
  });

  it("a section at the end of a file without a final newline: replaced, the file still ends without one", () => {
    const text = RICH.replace(/\n$/, "");
    const edit = editCredentialsSection(text, "last", VALUES);
    const { before } = around(text, "[last]", undefined);
    expect(edit.text).toBe(before + NEW_LINES.join("\n"));
  });

  it("new keys go after the section's last key when it has no credential key yet", () => {
    const text = "[a]\n# c\nregion = x\n\n# about [b]\n[b]\n";
    expect(editCredentialsSection(text, "a", VALUES.slice(0, 2)).text).toBe(
      "[a]\n# c\nregion = x\naws_access_key_id = ASIANEW\naws_secret_access_key = new-secret\n\n# about [b]\n[b]\n",
    );
    expect(editCredentialsSection("[a]\n", "a", VALUES.slice(0, 1)).text).toBe("[a]\naws_access_key_id = ASIANEW\n");
  });

  it("keys are matched case-insensitively; duplicates and aws_security_token are dropped", () => {
    const text = "[a]\nAWS_Access_Key_Id = old1\naws_security_token = legacy\naws_access_key_id = old2\nx = y\n";
    expect(editCredentialsSection(text, "a", VALUES.slice(0, 1)).text).toBe("[a]\naws_access_key_id = ASIANEW\nx = y\n");
  });
});

describe("editCredentialsSection: appending", () => {
  it("to an empty file", () => {
    expect(editCredentialsSection("", "new", VALUES.slice(0, 2)).text).toBe("[new]\naws_access_key_id = ASIANEW\naws_secret_access_key = new-secret\n");
  });

  it("after the last byte of the file, with one blank line before the header", () => {
    const edit = editCredentialsSection(RICH, "brand-new", VALUES);
    expect(edit.existed).toBe(false);
    expect(edit.text).toBe(`${RICH}\n[brand-new]\n${NEW_LINES.join("\n")}\n`);
    expect(editCredentialsSection("[a]\nx = 1\n\n", "b", VALUES.slice(0, 1)).text).toBe("[a]\nx = 1\n\n[b]\naws_access_key_id = ASIANEW\n");
  });

  it("to a file without a final newline: the old bytes are a prefix, the file still ends without a newline", () => {
    const text = RICH.replace(/\n$/, "");
    expect(editCredentialsSection(text, "brand-new", VALUES).text).toBe(`${text}\n\n[brand-new]\n${NEW_LINES.join("\n")}`);
  });

  it("to a CRLF file, in CRLF", () => {
    expect(editCredentialsSection("[a]\r\nx = 1\r\n", "b", VALUES.slice(0, 1)).text).toBe("[a]\r\nx = 1\r\n\r\n[b]\r\naws_access_key_id = ASIANEW\r\n");
  });
});

describe("editCredentialsSection: what the caller must refuse", () => {
  it.each([
    ["[s]\naws_access_key_id = AKIA\naws_secret_access_key = x\n", true],
    ["[s]\naws_access_key_id = ASIA\naws_secret_access_key = x\naws_session_token = t\n", false],
    ["[s]\naws_access_key_id = ASIA\naws_secret_access_key = x\naws_security_token = t\n", false],
    ["[s]\nregion = x\n", false],
  ])("long-term keys in %j: %s", (text, expected) => {
    expect(editCredentialsSection(text, "s", VALUES).longTermKeys).toBe(expected);
  });

  it("role_arn / source_profile (the SDKs would assume the role instead) are reported and removed", () => {
    const edit = editCredentialsSection(RICH, "ci", VALUES);
    expect(edit.sourceKeys).toEqual(["role_arn", "source_profile"]);
    const { before, after } = around(RICH, "[ci]", "[static]");
    expect(edit.text).toBe(before + NEW_LINES.join("\n") + "\n" + after);
  });

  it("a section that appears twice is reported with its line numbers", () => {
    expect(editCredentialsSection("[a]\nx = 1\n[b]\n[a]\n", "a", VALUES).duplicateLines).toEqual([1, 4]);
  });

  it("bytes that are not UTF-8 survive (the file is handled as latin1)", () => {
    const raw = Buffer.from([0x23, 0xff, 0xfe, 0x0a, 0x5b, 0x61, 0x5d, 0x0a]).toString("latin1"); // "#\xff\xfe\n[a]\n"
    const out = Buffer.from(editCredentialsSection(raw, "a", VALUES.slice(0, 1)).text, "latin1");
    expect([...out.subarray(0, 4)]).toEqual([0x23, 0xff, 0xfe, 0x0a]);
  });
});
