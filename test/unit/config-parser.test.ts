/**
 * The shared-file parser beyond the cross-SDK cases (test/conformance/): error locations, byte-order
 * mark, services sub-properties, file locations. (Why `ini` is not the parser is measured by
 * scripts/ini-vs-spec.js, quoted in the README: that checks ini, not this project.)
 */
import { describe, expect, it } from "vitest";
import { sharedFilePaths } from "../../src/config/file-locations.js";
import { parseProfileFile } from "../../src/config/parse-profile-file.js";
import { profileSetFromText, subProperties } from "../../src/config/profile-set.js";
import { readProfileSet } from "../../src/config/read-profile-set.js";
import type { Context } from "../../src/context.js";
import { ConfigError } from "../../src/errors.js";
import { fakeReadFs } from "../helpers/fake-fs.js";

const FILES = { config: "/h/.aws/config", credentials: "/h/.aws/credentials" };
const parse = (config: string, credentials = "") => profileSetFromText({ config, credentials }, FILES);
const profile = (config: string, name: string, credentials = "") => Object.fromEntries(parse(config, credentials).profiles.get(name) ?? []);

describe("parseProfileFile", () => {
  it.each([
    ["[profile a]\nregion = x\nnot a property\n", "/f line 3: Expected an '=' sign defining a property"],
    ["\n\n[profile a\n", "/f line 3: Profile definition must end with ']'"],
    ["# c\nregion = x\n", "/f line 2: Expected a profile definition"],
    ["[profile a]\r\ns3 =\r\n  bad\r\n", "/f line 3: Expected an '=' sign defining a sub-property"],
  ])("%j → %s", (text, message) => {
    expect(() => parseProfileFile(text, "/f")).toThrow(ConfigError);
    expect(() => parseProfileFile(text, "/f")).toThrow(message);
  });

  it("ignores a UTF-8 byte-order mark (Windows editors write one)", () => {
    expect(profile("\uFEFF[profile a]\nregion = eu-west-1\n", "a")).toEqual({ region: "eu-west-1" });
  });

  it("keeps dotted profile names and `true` as text", () => {
    expect(profile("[profile prod.admin]\nregion = us-east-1\nflag = true\n", "prod.admin")).toEqual({ region: "us-east-1", flag: "true" });
  });

  it("a header followed by a comment still starts a new profile", () => {
    const set = parse("[profile a]\nregion = a\n[profile b] # note\nregion = b\n");
    expect(Object.fromEntries(set.profiles.get("b")!)).toEqual({ region: "b" });
    expect(Object.fromEntries(set.profiles.get("a")!)).toEqual({ region: "a" });
  });

  it("keeps [services NAME] sections with their sub-properties", () => {
    const set = parse("[profile a]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n");
    expect(subProperties(set.otherSections.get("services local")!.get("sts")!)).toEqual(new Map([["endpoint_url", "http://127.0.0.1:1"]]));
  });
});

describe("sharedFilePaths", () => {
  it.each([
    [{ HOME: "/home/u" }, "linux", "/home/u/.aws/config", "/home/u/.aws/credentials"],
    [{ HOME: "/home/u", AWS_CONFIG_FILE: "~/cfg", AWS_SHARED_CREDENTIALS_FILE: "~" }, "linux", "/home/u/cfg", "/home/u"],
    [{ HOME: "/home/u", AWS_CONFIG_FILE: "~other/cfg" }, "linux", "~other/cfg", "/home/u/.aws/credentials"],
    [{ USERPROFILE: "C:\\Users\\u", AWS_CONFIG_FILE: "~\\cfg" }, "win32", "C:\\Users\\u\\cfg", "C:\\Users\\u\\.aws\\credentials"],
    [{ AWS_CONFIG_FILE: "/c", AWS_SHARED_CREDENTIALS_FILE: "/k" }, "linux", "/c", "/k"],
  ] as const)("%j on %s", (env, platform, config, credentials) => {
    expect(sharedFilePaths(env, platform)).toEqual({ config, credentials });
  });

  it("without any home variable, a default location is a configuration error", () => {
    expect(() => sharedFilePaths({ AWS_CONFIG_FILE: "/c" }, "linux")).toThrow("HOME is not set");
  });
});

describe("readProfileSet", () => {
  const ctxWith = (files: Record<string, string | NodeJS.ErrnoException>) =>
    ({
      env: { AWS_CONFIG_FILE: "/c", AWS_SHARED_CREDENTIALS_FILE: "/k" },
      platform: "linux",
      fs: fakeReadFs(async (path: string) => {
        const content = files[path] ?? Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        if (typeof content !== "string") throw content;
        return content;
      }),
    }) as unknown as Context;

  it("a missing file is empty; the credentials file wins on a shared key", async () => {
    const set = await readProfileSet(ctxWith({ "/c": "[profile a]\nregion = r\nx = config\n", "/k": "[a]\nx = credentials\n" }));
    expect(Object.fromEntries(set.profiles.get("a")!)).toEqual({ region: "r", x: "credentials" });
    expect((await readProfileSet(ctxWith({}))).profiles.size).toBe(0);
  });

  it("an unreadable file is an error naming it", async () => {
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    await expect(readProfileSet(ctxWith({ "/k": denied }))).rejects.toThrow("/k: cannot be read (EACCES)");
  });
});
