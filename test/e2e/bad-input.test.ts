/**
 * The bad-input table (test/fixtures/bad-input/): every case runs the built CLI against the sandbox
 * (so a case that wrongly goes on is seen by its STS requests) in a fresh HOME, and must end the way
 * the contract says bad input ends (design §3, issue 7):
 *   - the case's exit code;
 *   - stderr: one line `assume-role: ...` naming the input and the rule, optionally followed by lines
 *     that start with two spaces (the hint); no raw control character other than the line breaks;
 *   - stdout empty; no STS request; every file under HOME as it was (type, mode, content), none added;
 *   - within 8 s (a CLI blocked on a FIFO is killed and the case fails).
 * Expectations come from the contract, not from what the code does today.
 */
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BAD_INPUT_CASES, type BadInputCase, type Category } from "../fixtures/bad-input/index.js";
import { ROLE } from "../fixtures/bad-input/case.js";
import { CLOSED_IMDS } from "../helpers/cli.js";
import { runCliBounded, type BoundedResult } from "../helpers/run-bounded.js";
import { useSandbox } from "../helpers/sandbox.js";
import { snapshotTree } from "../helpers/tree-snapshot.js";

const CLI_TIMEOUT_MS = 8_000;
/** BAD_INPUT_REPORT=FILE: one JSON line per case (name, exit code, stderr, problems, ms), for the list of what fails today. */
const REPORT = process.env.BAD_INPUT_REPORT;
const CASE_BUDGET_MS = 10_000;
const sandbox = useSandbox();
const homes: string[] = [];

afterAll(() => {
  for (const home of homes) {
    chmodTree(home);
    rmSync(home, { recursive: true, force: true });
  }
});

/** A control character a terminal acts on: C0 except the line feed, DEL, C1. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
const CONTROL_GLOBAL = /[\x00-\x1f\x7f-\x9f]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0", "\x1b": "\\e" };

/** The forms a control character may take in an error message: \n, \x1b, \x1B, \u001b, \u{1b}, \e, ^[, \033, JSON. */
function escapedForms(text: string): string[] {
  if (!new RegExp(CONTROL_GLOBAL.source).test(text)) return [text];
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
  const styles: Array<(c: string) => string> = [
    (c) => `\\x${hex(c)}`,
    (c) => `\\x${hex(c).toUpperCase()}`,
    (c) => `\\u00${hex(c)}`,
    (c) => `\\u00${hex(c).toUpperCase()}`,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
    (c) => NAMED[c] ?? `\\x${hex(c)}`,
    (c) => NAMED[c] ?? `\\x${hex(c).toUpperCase()}`,
    (c) => (c === "\x1b" ? "\\x1b" : NAMED[c]) ?? `\\x${hex(c)}`,
    (c) => (c === "\x1b" ? "\\x1B" : NAMED[c]) ?? `\\x${hex(c).toUpperCase()}`,
    (c) => (c === "\x1b" || c === "\0" ? `\\u00${hex(c)}` : NAMED[c]) ?? `\\u00${hex(c)}`,
    (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`,
    (c) => (c.charCodeAt(0) < 0x20 ? `^${String.fromCharCode(c.charCodeAt(0) + 64)}` : c === "\x7f" ? "^?" : `\\x${hex(c)}`),
  ];
  return [...new Set(styles.map((style) => text.replace(CONTROL_GLOBAL, style)))];
}

const fill = (text: string, home: string) => text.replaceAll("{HOME}", home);

type Layout = Pick<BadInputCase, "files" | "dirs" | "fifos" | "symlinks" | "modes">;

/** Create what the case needs under a fresh HOME (0700, as a user's home is). */
function setUp(c: Layout): string {
  const home = mkdtempSync(join(tmpdir(), "assume-role-bad-input-"));
  homes.push(home);
  chmodSync(home, 0o700);
  const parent = (rel: string) => mkdirSync(dirname(join(home, rel)), { recursive: true, mode: 0o700 });
  for (const [rel, content] of Object.entries(c.files ?? {})) {
    parent(rel);
    writeFileSync(join(home, rel), content, { mode: 0o600 });
  }
  for (const rel of c.dirs ?? []) mkdirSync(join(home, rel), { recursive: true, mode: 0o700 });
  for (const rel of c.fifos ?? []) {
    parent(rel);
    execFileSync("mkfifo", ["-m", "600", join(home, rel)]);
  }
  for (const [rel, target] of Object.entries(c.symlinks ?? {})) {
    parent(rel);
    symlinkSync(fill(target, home), join(home, rel));
  }
  for (const [rel, mode] of Object.entries(c.modes ?? {})) chmodSync(join(home, rel), mode);
  return home;
}

/** Give the owner access again everywhere, so the tree can be removed. */
function chmodTree(home: string): void {
  try {
    execFileSync("chmod", ["-R", "u+rwx", home], { stdio: "ignore" });
  } catch {
    // best effort
  }
}

function environment(extra: BadInputCase["env"], home: string): Record<string, string> {
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS,
    ...sandbox().env(),
    ...extra,
  };
  return Object.fromEntries(
    Object.entries(merged)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => [k, fill(v, home)]),
  );
}

/** Every assertion of the contract for one case, collected so that a failure lists all that is wrong. */
function problemsOf(c: BadInputCase, home: string, r: BoundedResult, before: object, after: object): string[] {
  const problems: string[] = [];
  const stderr = r.stderr.toString("utf8");
  const shown = JSON.stringify(stderr.length > 600 ? `${stderr.slice(0, 600)}…` : stderr);
  if (r.timedOut) problems.push(`did not finish within ${CLI_TIMEOUT_MS} ms (killed)`);
  const exits = typeof c.exit === "number" ? [c.exit] : c.exit;
  if (!exits.includes(r.code ?? -1)) problems.push(`exit ${r.code ?? r.signal}, expected ${exits.join(" or ")}`);
  if (r.stdout.length > 0) problems.push(`stdout not empty: ${JSON.stringify(r.stdout.toString("utf8").slice(0, 200))}`);
  if ([...r.stderr].some((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f) || RAW_CONTROL.test(stderr)) {
    problems.push(`stderr holds a raw control character: ${shown}`);
  }
  const lines = stderr.replace(/\n$/, "").split("\n");
  if (!stderr.startsWith("assume-role: ") || !stderr.endsWith("\n") || lines.slice(1).some((l) => !l.startsWith("  "))) {
    problems.push(`stderr is not one line "assume-role: ..." plus indented hint lines: ${shown}`);
  }
  if (stderr.length > 8192) problems.push(`stderr is ${stderr.length} characters long`);
  const message = lines[0] ?? "";
  for (const want of c.shows) {
    const options = (typeof want === "string" ? [want] : want).flatMap((w) => escapedForms(fill(w, home)));
    if (!options.some((o) => stderr.includes(o))) problems.push(`stderr does not name ${JSON.stringify(typeof want === "string" ? want : want.join(" | "))}: ${shown}`);
  }
  if (!c.rule.test(message) && !c.rule.test(stderr)) problems.push(`stderr does not state the rule ${c.rule}: ${shown}`);
  const sts = sandbox().requests.map((q) => q.action);
  if (sts.length > 0) problems.push(`made ${sts.length} STS request(s) (${sts.join(", ")}) before refusing`);
  if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`files under HOME changed: ${diff(before, after)}`);
  return problems;
}

function diff(before: object, after: object): string {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => (b[k] === undefined ? `+${k}` : a[k] === undefined ? `-${k}` : `~${k}`))
    .join(", ");
}

describe("bad input: one line naming the input and the rule, non-zero exit, nothing on stdout, no file changed, no STS call", () => {
  it("the table has at least 80 unique cases covering every category", () => {
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(BAD_INPUT_CASES.map((c) => c.name)).size).toBe(BAD_INPUT_CASES.length);
    const categories: Category[] = [
      "flags",
      "roles",
      "durations",
      "session-names",
      "formats-and-conflicts",
      "mfa",
      "tags",
      "policies",
      "hop-parameters",
      "config-files",
      "credentials-files",
      "environment",
      "write-profile",
    ];
    for (const category of categories) expect(BAD_INPUT_CASES.filter((c) => c.category === category).length, category).toBeGreaterThan(0);
  });

  for (const c of BAD_INPUT_CASES) {
    it(`${c.category}: ${c.name}`, { timeout: CASE_BUDGET_MS }, async (ctx) => {
      const why = c.skip?.();
      if (why !== undefined) {
        console.log(`bad-input: skipping "${c.name}": ${why}`);
        ctx.skip(why);
      }
      const home = setUp(c);
      const before = snapshotTree(home);
      sandbox().resetCounts();
      const r = await runCliBounded({ args: c.args.map((a) => fill(a, home)), env: environment(c.env, home), cwd: home, timeoutMs: CLI_TIMEOUT_MS });
      const after = snapshotTree(home);
      const problems = problemsOf(c, home, r, before, after);
      if (REPORT) appendFileSync(REPORT, JSON.stringify({ name: `${c.category}: ${c.name}`, ms: Math.round(r.ms), code: r.code, stderr: r.stderr.toString("utf8").slice(0, 400), problems }) + "\n");
      expect(problems).toEqual([]);
    });
  }
});

describe("values the contract ignores rather than refuses", () => {
  it("XDG_CACHE_HOME relative (invalid per the XDG spec): ignored, no directory appears relative to the working directory", { timeout: CASE_BUDGET_MS }, async () => {
    const home = setUp({});
    const r = await runCliBounded({ args: [ROLE], env: environment({ XDG_CACHE_HOME: "relative-cache" }, home), cwd: home, timeoutMs: CLI_TIMEOUT_MS });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain("AWS_SESSION_TOKEN=");
    const stderr = r.stderr.toString();
    // Silently ignored (as the XDG spec says), or one warning naming the variable.
    if (stderr !== "") expect(stderr).toMatch(/^assume-role: warning: .*XDG_CACHE_HOME.*\n$/);
    const created = Object.keys(snapshotTree(home)).filter((p) => p !== "." && p !== ".cache" && !p.startsWith(".cache/assume-role"));
    expect(created).toEqual([]);
  });
});
