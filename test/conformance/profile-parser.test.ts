/**
 * Every case of profile-parser-tests.json: both files' text → the merged profiles (and sso-sessions)
 * the SDKs see, or an error containing the expected text.
 */
import { describe, expect, it } from "vitest";
import { profileSetFromText, type ProfileSet } from "../../src/config/profile-set.js";
import { ConfigError } from "../../src/errors.js";
import { loadConformance, tally } from "./conformance-data.js";

interface ParserCase {
  readonly name: string;
  readonly input: { readonly configFile?: string; readonly credentialsFile?: string };
  readonly output:
    | { readonly config: { readonly profiles: Record<string, Record<string, string>>; readonly sso_sessions?: Record<string, Record<string, string>> } }
    | { readonly errorContaining: string };
}

const FILE = "profile-parser-tests.json";
const data = loadConformance<{ tests: ParserCase[] }>(FILE);
const cases = data?.tests ?? [];
const count = tally(FILE, cases.length);

const asObject = (table: ProfileSet["profiles"]) =>
  Object.fromEntries([...table].map(([name, props]) => [name, Object.fromEntries(props)]));

describe.skipIf(data === undefined)(FILE, () => {
  it.each(cases.map((c, i) => [`${i + 1}. ${c.name}`, c] as const))("%s", (_title, c) => {
    const parse = () =>
      profileSetFromText({ config: c.input.configFile ?? "", credentials: c.input.credentialsFile ?? "" }, { config: "config", credentials: "credentials" });
    if ("errorContaining" in c.output) {
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(c.output.errorContaining);
    } else {
      const set = parse();
      expect(asObject(set.profiles)).toEqual(c.output.config.profiles);
      if (c.output.config.sso_sessions !== undefined) expect(asObject(set.ssoSessions)).toEqual(c.output.config.sso_sessions);
    }
    count.pass();
  });
});
