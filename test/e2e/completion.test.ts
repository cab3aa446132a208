/**
 * `assume-role completion SHELL` loaded into the real shells, asked for completions as a user's Tab asks:
 * bash calls the function with COMP_WORDS/COMP_CWORD set; zsh runs its completion system on a
 * pseudo-terminal (test/fixtures/completion/capture.zsh); fish answers `complete -C LINE`. Each script calls
 * the built CLI (a wrapper named assume-role on PATH) back, which reads the config file at that moment.
 * PowerShell is not installed here: its script gets text checks, and a live run when pwsh is found.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, CLOSED_IMDS, ROOT, runCli, shQuote, spawnCollect, type RunResult } from "../helpers/cli.js";
import { hasCommand, missingShellReason } from "../helpers/shells.js";

const CAPTURE_ZSH = join(ROOT, "test/fixtures/completion/capture.zsh");
const CONFIG = `[default]
region = us-east-1
[profile dev]
role_arn = arn:aws:iam::123456789012:role/team/Deploy
source_profile = default
[profile prod]
role_arn = arn:aws:iam::222222222222:role/ProdAdmin
credential_source = Ec2InstanceMetadata
`;
const TIMEOUT = 60_000;

let dir: string;
let env: Record<string, string>;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "assume-role-completion-"));
  mkdirSync(join(dir, "bin"));
  const wrapper = join(dir, "bin/assume-role");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(BIN)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  writeFileSync(join(dir, "config"), CONFIG);
  writeFileSync(join(dir, "policy.json"), "{}");
  env = {
    PATH: `${join(dir, "bin")}:${process.env.PATH}`,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    XDG_DATA_HOME: join(dir, ".local/share"),
    LANG: "C.UTF-8",
    TERM: "xterm",
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_IMDS,
  };
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    const r = await runCli(["completion", shell]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    scripts[shell] = join(dir, `completion.${shell}`);
    writeFileSync(scripts[shell]!, r.stdout);
  }
}, TIMEOUT);

/** What each shell offers for LINE (the cursor at its end). */
const ASK: Record<"bash" | "zsh" | "fish", (line: string) => Promise<string[]>> = {
  bash: async (line) => {
    const words = line.split(" ");
    const program = [
      `source ${shQuote(scripts.bash!)}`,
      `COMP_WORDS=(${words.map(shQuote).join(" ")}); COMP_CWORD=${words.length - 1}`,
      `COMP_LINE=${shQuote(line)}; COMP_POINT=${line.length}`,
      `_assume_role_complete`,
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join("\n");
    return lines(await inDir("bash", ["--noprofile", "--norc", "-c", program]));
  },
  zsh: async (line) => lines(await inDir("zsh", ["-f", CAPTURE_ZSH, scripts.zsh!, line])),
  fish: async (line) => {
    const r = await inDir("fish", ["-c", `source ${shQuote(scripts.fish!)}; complete -C ${shQuote(line)}`]);
    return lines(r).map((l) => l.split("\t")[0]!);
  },
};

/** Run a shell in the test's directory (file name completion looks there). */
function inDir(cmd: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return spawnCollect(cmd, args, { ...env, ...extraEnv }, undefined, { cwd: dir, timeoutMs: TIMEOUT });
}

function lines(r: { code: number | null; stdout: string; stderr: string }): string[] {
  expect(r.stderr, "the shell printed errors").toBe("");
  expect(r.code).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "").sort();
}

/** LINE → exactly these candidates (sorted), in every shell. */
const CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["assume-role --f", ["--force", "--format"]],
  ["assume-role --format j", ["json"]],
  ["assume-role whoami --format ", ["json", "text"]],
  ["assume-role serve --format do", ["dotenv"]],
  ["assume-role --profile ", ["default", "dev", "prod"]],
  ["assume-role whoami --profile p", ["prod"]],
  ["assume-role completion ", ["bash", "fish", "powershell", "zsh"]],
  ["assume-role Pr", ["ProdAdmin"]],
  ["assume-role exec te", ["team/Deploy"]],
  ["assume-role wh", ["whoami"]],
  ["assume-role --policy pol", ["policy.json"]],
];

for (const shell of ["bash", "zsh", "fish"] as const) {
  describe.concurrent(`completion in real ${shell}`, () => {
    const missing = missingShellReason(shell);
    if (missing !== undefined) {
      it.skip(`skipped: ${missing}`, () => {});
      console.log(`completion: skipping ${shell}: ${missing}`);
      return;
    }

    it.each(CASES)(`%s → %j`, async (line, want) => {
      expect(await ASK[shell](line)).toEqual([...want].sort());
    }, TIMEOUT);

    it("an empty word offers every command and the role names of the config file", async () => {
      const got = await ASK[shell]("assume-role ");
      expect(got).toEqual(expect.arrayContaining(["completion", "exec", "sandbox", "serve", "unset", "whoami", "ProdAdmin", "team/Deploy"]));
      expect(got.filter((w) => w.startsWith("_"))).toEqual([]);
    }, TIMEOUT);
  });
}

describe("completion reads the config file at completion time", () => {
  it.skipIf(missingShellReason("bash") !== undefined)("a profile added after the script was loaded completes at the next Tab", async () => {
    const home = mkdtempSync(join(tmpdir(), "assume-role-completion-live-"));
    const config = join(home, "config");
    writeFileSync(config, "[profile first]\nregion = eu-west-1\n");
    const program = [
      `source ${shQuote(scripts.bash!)}`,
      `ask() { COMP_WORDS=(assume-role --profile ''); COMP_CWORD=2; _assume_role_complete; printf '%s ' "\${COMPREPLY[@]}"; echo; }`,
      "ask",
      `printf '[profile second]\\nrole_arn = arn:aws:iam::123456789012:role/Later\\n' >> ${shQuote(config)}`,
      "ask",
    ].join("\n");
    const r = await inDir("bash", ["--noprofile", "--norc", "-c", program], { AWS_CONFIG_FILE: config });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("first \nfirst second \n");
  }, TIMEOUT);
});

describe("assume-role __complete (what the scripts call)", () => {
  it("a config file that cannot be read completes commands and nothing else: no error output, exit 0", async () => {
    // A directory where the config file should be: reading it fails.
    const r = await runCli(["__complete", "--", "--profile", ""], { AWS_CONFIG_FILE: dir });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: "words\n", stderr: "" });
    const commands = await runCli(["__complete", "--", "wh"], { AWS_CONFIG_FILE: dir });
    expect(commands.stdout).toMatch(/^words\nwhoami\t.+\n$/);
    expect(commands.stderr).toBe("");
  }, TIMEOUT);

  it("is not listed by --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.stdout).toMatch(/^  completion /m);
    expect(r.stdout).not.toContain("__complete");
  }, TIMEOUT);

  it("completion with an unknown shell: exit 2, one line naming it and the choices, nothing on stdout", async () => {
    const r = await runCli(["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^assume-role: .*'tcsh'.*bash, zsh, fish, powershell\.?\n$/);
  }, TIMEOUT);
});

describe("completion powershell", () => {
  it("registers a native completer for assume-role that asks __complete and offers only a `words` answer", () => {
    const text = readScript("powershell");
    expect(text).toContain("Register-ArgumentCompleter -Native -CommandName 'assume-role' -ScriptBlock {");
    expect(text).toContain("param($wordToComplete, $commandAst, $cursorPosition)");
    expect(text).toMatch(/& \$words\[0\] __complete -- @\(\$words \| Select-Object -Skip 1\) 2>\$null/);
    expect(text).toContain("[System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $description)");
    expect(text).toContain("$_ -split \"`t\", 2");
    // Balanced braces and parentheses, outside quoted strings.
    const code = text.replace(/'[^']*'|"(?:`.|[^"`])*"/g, "''").replace(/#.*$/gm, "");
    for (const [open, close] of [["{", "}"], ["(", ")"], ["[", "]"]] as const) {
      expect(code.split(open).length, `${open}${close} balance`).toBe(code.split(close).length);
    }
  });

  const pwsh = hasCommand("pwsh");
  if (!pwsh) console.log("completion: skipping the live PowerShell run: pwsh is not installed (not found on PATH)");
  it.skipIf(!pwsh)("live: TabExpansion2 offers --format and --force for `assume-role --f` (pwsh found)", async () => {
    const line = "assume-role --f";
    const program = `. ${psQuote(scripts.powershell!)}; (TabExpansion2 -inputScript '${line}' -cursorColumn ${line.length}).CompletionMatches | ForEach-Object { $_.CompletionText }`;
    const r = await inDir("pwsh", ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", program]);
    expect(r.stdout.split(/\r?\n/).filter(Boolean).sort()).toEqual(["--force", "--format"]);
  }, TIMEOUT);
});

function readScript(shell: string): string {
  return readFileSync(scripts[shell]!, "utf8");
}

const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
