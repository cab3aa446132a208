/**
 * stdout is written straight to fd 1 (src/ui/fd-writer.ts) and commander's help asks ctx, not process.stdout,
 * for the terminal's width: what a user sees through a pipe, a file or a closed reader stays as it was.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, runCli, shQuote, spawnCollect } from "../helpers/cli.js";

const cli = `${shQuote(process.execPath)} ${shQuote(BIN)}`;

describe("stdout through a pipe, a file and a reader that went away", () => {
  it("--help is the same through a pipe and into a file, wrapped at 80 columns (no terminal)", async () => {
    const piped = await runCli(["--help"]);
    const file = join(mkdtempSync(join(tmpdir(), "assume-role-stdout-")), "help.txt");
    const toFile = await spawnCollect("bash", ["-c", `${cli} --help > ${shQuote(file)}`], cleanEnv());
    expect(piped.code).toBe(0);
    expect(toFile.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(piped.stdout);
    expect(piped.stdout).toMatch(/^Usage: assume-role /);
    // What commander wraps (all but the examples appended as they are).
    const wrapped = piped.stdout.slice(0, piped.stdout.indexOf("\nExamples:")).split("\n");
    expect(Math.max(...wrapped.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(Math.max(...wrapped.map((l) => l.length))).toBeGreaterThan(70);
    // The subcommands are listed (they are built when help is asked for).
    for (const name of ["whoami", "exec", "serve", "unset", "sandbox"]) expect(piped.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });

  it("a reader that has already gone (EPIPE): exit 0 and nothing on stderr", async () => {
    // `true` exits at once; the CLI writes after it has gone, so every write meets a closed pipe.
    for (const args of ["--help", "unset", "unset -f fish"]) {
      const r = await spawnCollect("bash", ["-c", `{ sleep 0.3; ${cli} ${args}; echo "status $?" >&2; } | true`], cleanEnv());
      expect(r.stderr).toBe("status 0\n");
    }
  });
});
