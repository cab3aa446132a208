/**
 * Every case of assume-role-tests.json: profiles + the selected name → the chain. The expected
 * ProfileChain is compared with the ProfilePlan that resolveProfile returns, mapped element by element:
 * AccessKey / NamedSource / WebIdentityToken / Sso ↔ plan.source, each AssumeRole ↔ a hop in order.
 * Errors must contain the expected text (compared case-insensitively: "No profiles were defined"
 * stands inside a sentence here).
 */
import { describe, expect, it } from "vitest";
import type { ProfileSet } from "../../src/config/profile-set.js";
import { resolveProfile } from "../../src/config/resolve-profile.js";
import type { ProfilePlan } from "../../src/plan/build-plan.js";
import { ConfigError } from "../../src/errors.js";
import { loadConformance, tally } from "./conformance-data.js";

type Table = Record<string, Record<string, string>>;
type Step = Record<string, unknown>;
interface ChainCase {
  readonly docs: string;
  readonly input: { readonly profiles: Table; readonly selected_profile: string; readonly sso_sessions?: Table };
  readonly output: { readonly ProfileChain: Step[] } | { readonly Error: string };
}

const FILE = "assume-role-tests.json";
const data = loadConformance<ChainCase[]>(FILE);
const cases = data ?? [];
const count = tally(FILE, cases.length);

const toMap = (table: Table = {}) => new Map(Object.entries(table).map(([k, v]) => [k, new Map(Object.entries(v))]));

function profileSet(input: ChainCase["input"]): ProfileSet {
  return {
    profiles: toMap(input.profiles),
    ssoSessions: toMap(input.sso_sessions),
    otherSections: new Map(),
    files: { config: "~/.aws/config", credentials: "~/.aws/credentials" },
  };
}

/** The plan in the test data's vocabulary (only the fields the data names; undefined ones dropped). */
function asProfileChain(plan: ProfilePlan): Step[] {
  const s = plan.source;
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  let base: Step;
  switch (s.kind) {
    case "static":
      base = { AccessKey: defined({ access_key_id: s.credentials.accessKeyId, secret_access_key: s.credentials.secretAccessKey, session_token: s.credentials.sessionToken, account_id: s.accountId }) };
      break;
    case "imds":
      base = { NamedSource: "Ec2InstanceMetadata" };
      break;
    case "env":
      base = { NamedSource: "Environment" };
      break;
    case "container":
      base = { NamedSource: "EcsContainer" };
      break;
    case "web-identity":
      base = { WebIdentityToken: defined({ role_arn: s.roleArn, web_identity_token_file: s.token?.kind === "file" ? s.token.path : undefined, role_session_name: s.sessionName }) };
      break;
    case "sso":
      base = { Sso: { ...s.settings } };
      break;
    default:
      base = { Unexpected: s };
  }
  const hops = plan.hops.map((h) => ({
    AssumeRole: defined({ role_arn: h.role.kind === "arn" ? h.role.arn : h.role.name, role_session_name: h.sessionName, external_id: h.externalId }),
  }));
  return [base, ...hops];
}

describe.skipIf(data === undefined)(FILE, () => {
  it.each(cases.map((c, i) => [`${i + 1}. ${c.docs}`, c] as const))("%s", (_title, c) => {
    const run = () => resolveProfile(profileSet(c.input), c.input.selected_profile).plan;
    if ("Error" in c.output) {
      expect(run).toThrow(ConfigError);
      let message = "";
      try {
        run();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message.toLowerCase()).toContain(c.output.Error.toLowerCase());
      expect(message).toMatch(/^profile \S+: /);
    } else {
      const plan = run();
      expect(asProfileChain(plan)).toEqual(c.output.ProfileChain);
      expect(plan.name).toBe(c.input.selected_profile);
    }
    count.pass();
  });
});
