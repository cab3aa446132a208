/**
 * Robust under load: many processes of the CLI started at once on a small machine, against an IMDS and
 * STS that answer slowly. A timeout while the host is saturated is not IMDS's absence. (No wall-clock
 * assertion: the machine is shared.)
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, spawnCollect } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const PROCESSES = 30;
const sandbox = useSandbox();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Start `n` CLI processes at once from one shell (as cron would), each writing its output and exit code
 * to files. Not n spawns from this process: each spawn blocks this process's event loop, which also
 * serves the sandbox, so IMDS would be unreachable for the whole launch instead of merely slow.
 */
async function burst(n: number, args: readonly string[], env: Record<string, string>): Promise<Run[]> {
  const out = mkdtempSync(join(tmpdir(), "assume-role-burst-out-"));
  const script = `for i in $(seq 1 ${n}); do ( "$NODE_BIN" "$CLI" "$@" >"$OUT/$i.out" 2>"$OUT/$i.err"; echo $? >"$OUT/$i.rc" ) & done; wait`;
  const launcher = await spawnCollect("bash", ["-c", script, "burst", ...args], { ...env, NODE_BIN: process.execPath, CLI: BIN, OUT: out });
  expect(launcher.code).toBe(0);
  return Array.from({ length: n }, (_, i) => ({
    code: Number(readFileSync(join(out, `${i + 1}.rc`), "utf8")),
    stdout: readFileSync(join(out, `${i + 1}.out`), "utf8"),
    stderr: readFileSync(join(out, `${i + 1}.err`), "utf8"),
  }));
}

describe("a burst of processes with a cold cache", () => {
  it(`${PROCESSES} processes at once against a slow IMDS and STS: no failures, one AssumeRole per hop`, async () => {
    sandbox().setFaults({ latencyMs: 200 });
    // One user's cron jobs on one machine: one HOME, so one cache, empty at the start.
    const env = cleanEnv({ ...sandbox().env(), AWS_REGION: undefined, HOME: mkdtempSync(join(tmpdir(), "assume-role-burst-")) });
    const runs = await burst(PROCESSES, [HOP1, HOP2, "-v"], env);
    const failures = runs.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.split("\n").filter((l) => !/sts:|cache:|hop \d/.test(l)).join(" | ")}`);
    expect(failures).toEqual([]);
    const keys = new Set(runs.map((r) => /AWS_ACCESS_KEY_ID='([^']+)'/.exec(r.stdout)?.[1]));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^ASIA/);
    expect(sandbox().counts.sts.AssumeRole).toBe(2);
  }, 300_000);
});
