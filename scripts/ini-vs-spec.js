// node scripts/ini-vs-spec.js (after npm run build): why the shared-file parser is not `ini`, measured.
// 1. Every case of the cross-SDK parser suite (profile-parser-tests.json, smithy-rs), read by ini@5 as
//    the line parser under this project's own section and merge rules (dist/config/profile-set.js), so
//    only ini's reading of lines is on trial. The adapter is generous to ini: its nested objects for
//    dotted section names are joined back with '.' (dropping the empty parents it invents), keys are
//    lower-cased as this project's parser does, and its `true` for a bare key becomes "true".
// 2. Writing one section the way `--write-profile` must (replace the keys of [prod], keep every other
//    byte): ini.parse → change → ini.stringify, against this project's editCredentialsSection.
// The suite is read from ../shared/conformance (or $ASSUME_ROLE_CONFORMANCE_DIR), never copied here.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { buildProfileSet } from "../dist/config/profile-set.js";
import { editCredentialsSection } from "../dist/config/write-profile-section.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const ini = require("ini");
const iniVersion = require("ini/package.json").version;

// ---- 1. the parser suite ----
const dir = process.env.ASSUME_ROLE_CONFORMANCE_DIR ?? resolve(root, "../shared/conformance");
const suite = join(dir, "profile-parser-tests.json");
if (!existsSync(suite)) {
  console.log(`skipped the parser suite: ${suite} does not exist (set ASSUME_ROLE_CONFORMANCE_DIR)`);
} else {
  const { tests } = JSON.parse(readFileSync(suite, "utf8"));
  const failures = tests.flatMap((c, i) => {
    const verdict = judge(c);
    return verdict === undefined ? [] : [`${String(i + 1).padStart(2)}. ${c.name} — ${verdict}`];
  });
  console.log(`ini@${iniVersion} as the line parser: ${tests.length - failures.length} of ${tests.length} cross-SDK parser cases pass, ${failures.length} fail:`);
  for (const f of failures) console.log(`  ${f}`);
}

/** undefined when ini's reading gives what the suite expects, else how it differs. */
function judge(c) {
  const files = { config: "config", credentials: "credentials" };
  let got;
  try {
    const set = buildProfileSet(sectionsOf(c.input.configFile ?? ""), sectionsOf(c.input.credentialsFile ?? ""), files);
    got = Object.fromEntries([...set.profiles].map(([name, props]) => [name, Object.fromEntries(props)]));
  } catch (err) {
    return "errorContaining" in c.output ? undefined : `threw ${err.message}`;
  }
  if ("errorContaining" in c.output) return `no error (the spec expects one containing "${c.output.errorContaining}")`;
  return isDeepStrictEqual(got, c.output.config.profiles) ? undefined : `read ${JSON.stringify(got)}, spec ${JSON.stringify(c.output.config.profiles)}`;
}

/** ini.parse's object as the RawSection list buildProfileSet takes. */
function sectionsOf(text) {
  const sections = [];
  const walk = (obj, name) => {
    const properties = new Map();
    const children = [];
    for (const [key, value] of Object.entries(obj)) {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) children.push([name === undefined ? key : `${name}.${key}`, value]);
      else if (name !== undefined) properties.set(key.toLowerCase(), String(value));
    }
    const inventedParent = children.length > 0 && properties.size === 0;
    if (name !== undefined && !inventedParent) sections.push({ header: name, line: 0, properties });
    for (const [childName, child] of children) walk(child, childName);
  };
  walk(ini.parse(text), undefined);
  return sections;
}

// ---- 2. writing one section ----
const original = readFileSync(join(root, "test/fixtures/credentials/rich.ini"), "utf8");
const values = [
  ["aws_access_key_id", "ASIANEWEXAMPLE000001"],
  ["aws_secret_access_key", "new-secret"],
  ["aws_session_token", "new-token"],
];
const ours = editCredentialsSection(original, "prod", values).text;
const parsed = ini.parse(original);
parsed.prod = { ...parsed.prod, ...Object.fromEntries(values) };
const theirs = ini.stringify(parsed, { whitespace: true });
const lines = (s) => s.split("\n");
const kept = (out) => lines(original).filter((l) => lines(out).includes(l)).length;
console.log(`\nwriting [prod] into test/fixtures/credentials/rich.ini (${lines(original).length} lines):`);
console.log(`  ini.stringify(ini.parse(file) + new keys, { whitespace: true }): ${kept(theirs)} of the original lines survive; comments left: ${lines(theirs).filter((l) => /^\s*[#;]/.test(l)).length} of ${lines(original).filter((l) => /^\s*[#;]/.test(l)).length}`);
console.log(`  editCredentialsSection (this project):                          ${kept(ours)} of the original lines survive (the rest are the replaced keys of [prod])`);
const lost = lines(original).filter((l) => l.trim() !== "" && !lines(theirs).includes(l));
const invented = lines(theirs).filter((l) => l.trim() !== "" && !lines(original).includes(l) && !values.some(([k, v]) => l === `${k} = ${v}`));
console.log(`  ini drops or rewrites ${lost.length} non-blank lines, among them:`);
for (const l of lost.slice(0, 8)) console.log(`    - ${l}`);
console.log(`  and writes ${invented.length} lines that were not there (besides the new keys):`);
for (const l of invented) console.log(`    + ${l}`);
