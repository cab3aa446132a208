/**
 * Round-trip property: any value (except NUL) formatted for a shell and evaluated by that REAL shell
 * ends up byte-exact in the environment, and every cleared variable is gone. A shell that is not
 * installed is skipped with the reason printed.
 */
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildExportSet, buildUnsetSet, EXPORTED_NAMES, CLEARED_NAMES, type FormatInput } from "../../src/outputs/export-set.js";
import { getFormatter } from "../../src/outputs/formatters/registry.js";
import { evalInShell, missingShellReason, type EvalOptions, type ShellName } from "../helpers/shells.js";
import { envValue, nonEmptyEnvValue } from "./values.js";

interface ShellCase {
  readonly label: string;
  readonly shell: ShellName;
  readonly format: string;
  readonly opts?: EvalOptions;
  /** PowerShell cannot hold an empty value (assigning '' removes the variable). */
  readonly nonEmpty?: boolean;
}

const CASES: readonly ShellCase[] = [
  { label: "bash: eval \"$(…)\"", shell: "bash", format: "bash" },
  { label: "bash -euo pipefail: eval \"$(…)\"", shell: "bash", format: "bash", opts: { shellArgs: ["-e", "-u", "-o", "pipefail"] } },
  { label: "zsh: eval \"$(…)\"", shell: "zsh", format: "zsh" },
  { label: "zsh -o rcquotes: eval \"$(…)\"", shell: "zsh", format: "zsh", opts: { shellArgs: ["-o", "rcquotes"] } },
  { label: "dash (POSIX sh): eval \"$(…)\"", shell: "dash", format: "sh" },
  { label: "fish: … | source", shell: "fish", format: "fish", opts: { mode: "source" } },
  { label: "fish: eval (…)", shell: "fish", format: "fish", opts: { mode: "eval" } },
  { label: "nu: source FILE", shell: "nu", format: "nu" },
  { label: "pwsh: Invoke-Expression", shell: "pwsh", format: "powershell", nonEmpty: true },
];

const RUNS = 40;
const EXTRA_NAMES = ["RT_EXTRA_0", "RT_EXTRA_1", "RT_EXTRA_2"] as const;
/** Every name a run may clear: pre-set (stale) or absent at random in the spawned shell. */
const CLEARABLE = [...new Set<string>([...EXPORTED_NAMES, ...CLEARED_NAMES])];
const EXPIRATION = new Date("2030-01-02T03:04:05.678Z");

function skipNote(c: ShellCase): boolean {
  const reason = missingShellReason(c.shell);
  if (reason !== undefined) console.log(`[shell round-trip] SKIP ${c.label}: ${reason}`);
  return reason !== undefined;
}

function formatterFor(name: string) {
  const f = getFormatter(name);
  if (f === undefined) throw new Error(`no formatter ${name}`);
  return f;
}

describe.each(CASES)("$label", (c) => {
  const missing = skipNote(c);
  const value = c.nonEmpty === true ? nonEmptyEnvValue : envValue;
  const optional = fc.option(value, { nil: undefined });
  const scenario = fc.record({
    accessKeyId: value,
    secretAccessKey: value,
    sessionToken: optional,
    region: optional,
    roleArn: optional,
    chain: optional,
    extras: fc.tuple(value, value, value),
    preset: fc.subarray(CLEARABLE),
  });

  it.skipIf(missing)(`round-trips random values byte-exact and clears stale variables (${RUNS} runs)`, async () => {
    const format = formatterFor(c.format);
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const credentials = {
          accessKeyId: s.accessKeyId,
          secretAccessKey: s.secretAccessKey,
          sessionToken: s.sessionToken,
          expiration: s.sessionToken === undefined ? undefined : EXPIRATION,
        };
        const chain = s.chain === undefined ? undefined : { source: s.chain, roles: s.roleArn === undefined ? [] : [s.roleArn] };
        const base = buildExportSet({ credentials, region: s.region, roleArn: s.roleArn, chain });
        const exports = { set: [...base.set, ...EXTRA_NAMES.map((n, i) => [n, s.extras[i] ?? ""] as const)], unset: base.unset };
        const input: FormatInput = { exports, credentials, region: s.region, roleArn: s.roleArn };
        const script = format(input);

        // Stale values everywhere they could linger: previous exports and the variables to clear.
        const env: Record<string, string> = Object.fromEntries(s.preset.map((n) => [n, `stale-${n}`]));
        env["AWS_ACCESS_KEY_ID"] = "AKIAOLDOLDOLDOLDOLD";

        const result = await evalInShell(c.shell, script, env, c.opts);
        const names = [...exports.set.map(([n]) => n), ...exports.unset];
        const expected: Record<string, string | undefined> = Object.fromEntries(exports.unset.map((n) => [n, undefined]));
        for (const [n, v] of exports.set) expected[n] = v;
        expect(result.pick(names)).toEqual(expected);
        expect(result.stderr).toBe("");
        expect(result.evalStatus).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it.skipIf(missing)("`assume-role unset` output clears present and absent variables silently", async () => {
    const exports = buildUnsetSet();
    const script = formatterFor(c.format)({ exports, credentials: { accessKeyId: "", secretAccessKey: "" } });
    const present = EXPORTED_NAMES.filter((_, i) => i % 2 === 0);
    const env = Object.fromEntries(present.map((n) => [n, "old value; with 'quotes'"]));
    const result = await evalInShell(c.shell, script, env, c.opts);
    expect(result.pick(EXPORTED_NAMES)).toEqual(Object.fromEntries(EXPORTED_NAMES.map((n) => [n, undefined])));
    expect(result.stderr).toBe("");
    expect(result.evalStatus).toBe(0);
  });
});

describe("fish universal variables", () => {
  const missing = skipNote({ label: "fish universal variables", shell: "fish", format: "fish" });
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

  it.skipIf(missing)("clearing never erases a universal variable; it says on stderr that it stays exported", async () => {
    const home = mkdtempSync(join(tmpdir(), "asr-fish-home-"));
    homes.push(home);
    const exports = { set: [["AWS_REGION", "eu-west-1"] as const], unset: ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] };
    const script = formatterFor("fish")({ exports, credentials: { accessKeyId: "", secretAccessKey: "" } });
    const prelude = "set -Ux AWS_PROFILE dev; set -Ux AWS_REGION us-west-2; set -gx AWS_DEFAULT_PROFILE g";
    const after = await evalInShell("fish", script, {}, { home, prelude });
    expect(after.pick(["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"])).toEqual({
      AWS_PROFILE: "dev", // fish exports a universal even under a global: it cannot be hidden, only erased
      AWS_DEFAULT_PROFILE: undefined,
      AWS_REGION: "eu-west-1", // a global shadows the universal for set values
    });
    expect(after.stderr).toBe(
      "assume-role: universal variable AWS_PROFILE stays exported (erase it: set -e -U AWS_PROFILE)\n",
    );
    expect(after.evalStatus).toBe(0);

    // A new session still has the user's universal values: the output changed nothing persistent.
    const later = await evalInShell("fish", "", {}, { home });
    expect(later.pick(["AWS_PROFILE", "AWS_REGION"])).toEqual({ AWS_PROFILE: "dev", AWS_REGION: "us-west-2" });
  });
});
