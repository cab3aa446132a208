/**
 * dotenv round-trip through real parsers: python-dotenv (when importable) and npm `dotenv` (when
 * installed in node_modules). Each property run writes one file of 12 variables; a value the
 * formatter refuses must be refused with an error that names the variable and not the value.
 */
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dotenvValue } from "../../src/outputs/formatters/dotenv.js";
import { getFormatter } from "../../src/outputs/formatters/registry.js";
import { UnrepresentableValueError } from "../../src/outputs/formatters/validate.js";
import { envValue } from "./values.js";

const RUNS = 30;
const PER_FILE = 12;
const work = mkdtempSync(join(tmpdir(), "asr-dotenv-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PYTHON = ["python3", "python"].find((p) => spawnSync(p, ["-c", "import dotenv"], { stdio: "ignore" }).status === 0);
const pythonSkip = PYTHON === undefined ? "python-dotenv is not importable (python3 -c 'import dotenv' failed)" : undefined;

const requireHere = createRequire(import.meta.url);
let npmDotenvPath: string | undefined;
try {
  npmDotenvPath = requireHere.resolve("dotenv");
} catch {
  npmDotenvPath = undefined;
}
const npmSkip = npmDotenvPath === undefined ? "npm package dotenv is not installed in node_modules" : undefined;

if (pythonSkip !== undefined) console.log(`[dotenv round-trip] SKIP python-dotenv: ${pythonSkip}`);
if (npmSkip !== undefined) console.log(`[dotenv round-trip] SKIP npm dotenv: ${npmSkip}`);

/** Format what can be formatted; check every refusal on the way. */
function render(values: readonly string[]): { text: string; expected: Record<string, string> } {
  const set: Array<readonly [string, string]> = [];
  values.forEach((value, i) => {
    const name = `DOTENV_RT_${i}`;
    try {
      dotenvValue(name, value);
      set.push([name, value]);
    } catch (err) {
      expect(err).toBeInstanceOf(UnrepresentableValueError);
      const message = (err as Error).message;
      expect(message).toContain(name);
      if (value.length >= 4) expect(message).not.toContain(value);
      // Only expansions and backslashes/double quotes in the "…" form are ever refused.
      expect(/[$\\"]/.test(value)).toBe(true);
    }
  });
  const format = getFormatter("dotenv");
  if (format === undefined) throw new Error("no dotenv formatter");
  const text = format({ exports: { set, unset: ["AWS_PROFILE"] }, credentials: { accessKeyId: "", secretAccessKey: "" } });
  return { text, expected: Object.fromEntries(set) };
}

let fileNo = 0;
function writeEnvFile(text: string): string {
  const file = join(work, `run-${fileNo++}.env`);
  writeFileSync(file, text, "utf8");
  return file;
}

describe("dotenv", () => {
  it.skipIf(pythonSkip !== undefined)(`python-dotenv reads every accepted value back exactly (${RUNS} files)`, () => {
    const python = PYTHON ?? "python3";
    fc.assert(
      fc.property(fc.array(envValue, { minLength: PER_FILE, maxLength: PER_FILE }), (values) => {
        const { text, expected } = render(values);
        const file = writeEnvFile(text);
        // ensure_ascii keeps the channel back ASCII-only; interpolation stays on (the default).
        const code = "import json,sys\nfrom dotenv import dotenv_values\nsys.stdout.write(json.dumps(dotenv_values(sys.argv[1])))";
        const r = spawnSync(python, ["-c", code, file], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", LANG: "C.UTF-8" } });
        expect(r.stderr).toBe("");
        expect(JSON.parse(r.stdout)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it.skipIf(npmSkip !== undefined)(`npm dotenv parses every accepted value back exactly (${RUNS} files)`, () => {
    const dotenv = requireHere(npmDotenvPath ?? "dotenv") as { parse(src: string): Record<string, string> };
    fc.assert(
      fc.property(fc.array(envValue, { minLength: PER_FILE, maxLength: PER_FILE }), (values) => {
        const { text, expected } = render(values);
        expect(dotenv.parse(text)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts every value without $, \\ and \" (quotes, line breaks, Unicode included)", () => {
    fc.assert(
      fc.property(envValue, (value) => {
        const plain = value.replace(/[$\\"]/g, "");
        expect(() => dotenvValue("V", plain)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
