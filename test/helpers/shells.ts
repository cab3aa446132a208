/**
 * Evaluate text in a real shell the way a user does, then read the resulting environment back
 * byte for byte. Built for the formatter round-trip tests and for end-to-end tests that feed the
 * CLI's exact stdout (`script`) to the shell.
 *
 *   bash / zsh / dash:  eval "$(cat)"              (script on stdin, as in eval "$(assume-role …)")
 *   fish:               cat | source   or   eval (cat)       (mode "source" / "eval")
 *   pwsh:               Invoke-Expression ([Console]::In.ReadToEnd())
 *   nu:                 source FILE          (nushell has no eval: the script is saved to FILE first)
 *
 * After the eval the shell `exec`s node on a small read-back program, which reports the status of
 * the eval and the raw bytes of its own initial environment (/proc/self/environ on Linux: what
 * the shell really exported, not a decoded copy), base64-encoded so the channel is byte-safe.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export type ShellName = "bash" | "zsh" | "dash" | "fish" | "pwsh" | "nu";

const commandCache = new Map<string, boolean>();

/** True when `name` is an executable file on PATH. */
export function hasCommand(name: string): boolean {
  const cached = commandCache.get(name);
  if (cached !== undefined) return cached;
  let found = false;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) {
        found = true;
        break;
      }
    } catch {
      // not here
    }
  }
  commandCache.set(name, found);
  return found;
}

/** Why a shell test cannot run here, or undefined when it can. Print it: a skip must say why. */
export function missingShellReason(shell: ShellName): string | undefined {
  return hasCommand(shell) ? undefined : `${shell} is not installed (not found on PATH)`;
}

export interface EvalOptions {
  /** fish only: `source` (default, `assume-role -f fish | source`) or `eval` (`eval (assume-role -f fish)`). */
  readonly mode?: "source" | "eval";
  /** Extra arguments before `-c`, e.g. ["-o", "rcquotes"] for zsh. */
  readonly shellArgs?: readonly string[];
  /** Shell code run before the eval (e.g. `set -Ux AWS_PROFILE dev` in fish). */
  readonly prelude?: string;
  /** HOME (and XDG dirs) for the shell; default: a fresh temporary directory, removed afterwards. */
  readonly home?: string;
  readonly timeoutMs?: number;
}

export interface ShellEvalResult {
  /** Status of the eval/source step itself: 0 = the evaluated text ended successfully (pwsh: 1 = it threw). */
  readonly evalStatus: number;
  /** Everything the shell wrote on stderr while evaluating: should be empty. */
  readonly stderr: string;
  /** The environment after the eval, as raw bytes (helper variables removed). */
  readonly bytes: ReadonlyMap<string, Buffer>;
  /** `name`'s value decoded as strict UTF-8 (throws on invalid bytes), or undefined when unset. */
  value(name: string): string | undefined;
  /** Names and values of the variables in `names`: undefined for those that are not set. */
  pick(names: readonly string[]): Record<string, string | undefined>;
}

const READBACK = String.raw`
const fs = require("node:fs");
const out = {};
let raw = null;
try { raw = fs.readFileSync("/proc/self/environ"); } catch { raw = null; }
if (raw !== null) {
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0) continue;
    if (i > start) {
      const entry = raw.subarray(start, i);
      const eq = entry.indexOf(0x3d);
      if (eq > 0) out[entry.subarray(0, eq).toString("latin1")] = entry.subarray(eq + 1).toString("base64");
    }
    start = i + 1;
  }
} else {
  for (const [k, v] of Object.entries(process.env)) out[k] = Buffer.from(v ?? "", "utf8").toString("base64");
}
process.stdout.write(JSON.stringify({ evalStatus: Number(process.argv[2]), env: out }));
`;

const HELPER_VARS = ["ASR_T_NODE", "ASR_T_READBACK"] as const;

/** Arguments for `shell` that evaluate stdin like a user would, then exec the read-back program. */
function runnerArgs(shell: ShellName, mode: "source" | "eval", prelude: string, extra: readonly string[], scriptFile: string): string[] {
  switch (shell) {
    case "nu": {
      // `source` is resolved when nu parses the command line, so the path is a literal; a failing
      // script stops nu before the read-back (evalInShell then rejects with nu's stderr).
      const body = `${prelude}\nsource ${JSON.stringify(scriptFile)}\nexec $env.ASR_T_NODE $env.ASR_T_READBACK 0\n`;
      return ["--no-config-file", ...extra, "-c", body];
    }
    case "bash":
    case "zsh":
    case "dash": {
      const body = `${prelude}\neval "$(cat)"\nasr_t_status=$?\nexec "$ASR_T_NODE" "$ASR_T_READBACK" "$asr_t_status"\n`;
      const flags = shell === "bash" ? ["--noprofile", "--norc"] : shell === "zsh" ? ["-f"] : [];
      return [...flags, ...extra, "-c", body];
    }
    case "fish": {
      const step = mode === "eval" ? "eval (cat)" : "cat | source";
      const body = `${prelude}\n${step}\nset asr_t_status $status\nexec $ASR_T_NODE $ASR_T_READBACK $asr_t_status\n`;
      // No --no-config: it would also turn off universal variables. The temporary HOME has no config.
      return [...extra, "-c", body];
    }
    case "pwsh": {
      const body = [
        prelude,
        // evalStatus: 1 when the text raised a terminating error. `$?` is no use here: a
        // Remove-Item silenced with -ErrorAction SilentlyContinue still sets it to False.
        "$asr_t_status = 0",
        "try { Invoke-Expression ([Console]::In.ReadToEnd()) } catch { [Console]::Error.WriteLine($_); $asr_t_status = 1 }",
        "& $Env:ASR_T_NODE $Env:ASR_T_READBACK $asr_t_status",
        "exit $LASTEXITCODE",
      ].join("\n");
      return ["-NoLogo", "-NoProfile", "-NonInteractive", ...extra, "-Command", body];
    }
  }
}

/**
 * Evaluate `script` (exact text, e.g. the CLI's stdout) in `shell` with exactly `env` plus PATH,
 * HOME (temporary), LANG=C.UTF-8 (`env` may override LANG/PATH/HOME), and return the environment
 * that results. Rejects when the shell dies before reading the environment back.
 */
export async function evalInShell(
  shell: ShellName,
  script: string,
  env: Readonly<Record<string, string>>,
  opts: EvalOptions = {},
): Promise<ShellEvalResult> {
  const work = mkdtempSync(join(tmpdir(), "asr-shell-"));
  try {
    const home = opts.home ?? work;
    const readback = join(work, "readback.cjs");
    writeFileSync(readback, READBACK);
    const scriptFile = join(work, "script.nu");
    if (shell === "nu") writeFileSync(scriptFile, script);
    const argv = runnerArgs(shell, opts.mode ?? "source", opts.prelude ?? "", opts.shellArgs ?? [], scriptFile);
    const childEnv: Record<string, string> = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_CACHE_HOME: join(home, ".cache"),
      LANG: "C.UTF-8",
      ...env,
      ASR_T_NODE: process.execPath,
      ASR_T_READBACK: readback,
    };
    const { stdout, stderr, code } = await run(shell, argv, childEnv, script, opts.timeoutMs ?? 20_000);
    let parsed: { evalStatus: number; env: Record<string, string> };
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      throw new Error(`${shell} exited ${String(code)} without reading the environment back; stderr:\n${stderr}`);
    }
    const bytes = new Map<string, Buffer>();
    for (const [name, b64] of Object.entries(parsed.env)) {
      if (!(HELPER_VARS as readonly string[]).includes(name)) bytes.set(name, Buffer.from(b64, "base64"));
    }
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const value = (name: string): string | undefined => {
      const b = bytes.get(name);
      return b === undefined ? undefined : decoder.decode(b);
    };
    return {
      evalStatus: parsed.evalStatus,
      stderr,
      bytes,
      value,
      pick: (names) => Object.fromEntries(names.map((n) => [n, value(n)])),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  argv: readonly string[],
  env: Record<string, string>,
  input: string,
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code }),
    );
    child.stdin.on("error", () => {
      // the shell may exit before reading all input; the result check reports it
    });
    child.stdin.end(input, "utf8");
  });
}
