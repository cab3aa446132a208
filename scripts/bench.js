// npm run bench: each row of issue 8's table, spawned as a user runs it, against the sandbox started in
// this process answering every IMDS and STS request 20 ms after it arrived. Fast rows run alternated (one run of each
// row per round, start rotated) after warm-up rounds; slow rows (IMDS never answering, the 50-process
// burst) run fewer times. Writes bench/results/latest.md and bench/results/latest.svg.
//   BENCH_RUNS (default 15) rounds of the fast rows, BENCH_SLOW_RUNS (default 3) runs with IMDS never
//   answering, BENCH_BURSTS (default 2) bursts.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox } from "../dist/sandbox/index.js";
import { botocoreRow } from "./bench/botocore-row.js";
import { markdownReport, svgChart } from "./bench/report.js";
import { summarize } from "./bench/stats.js";
import { runTimed } from "./bench/run-timed.js";
import { serialRoundTrips, startTimingProxy } from "./bench/timing-proxy.js";

const ROUNDS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 2;
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 3);
const BURSTS = Number(process.env.BENCH_BURSTS ?? 2);
const BURST = 50;
const LATENCY_MS = 20;
const OFF_EC2_LIMIT_MS = 2000;

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/assume-role.js");
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), "assume-role-bench-"));
const log = (line) => process.stderr.write(`bench: ${line}\n`);

const sandbox = await startSandbox({ faults: { latencyMs: LATENCY_MS } });
// Accepts connections and never answers: an IMDS address that is silently dropped, as off EC2.
const blackhole = createServer(() => {}).listen(0, "127.0.0.1");
await new Promise((r) => blackhole.once("listening", r));

// A clean environment: no ambient AWS_* settings and no NODE_EXTRA_CA_CERTS (loading a CA bundle
// costs every node process tens of ms and would hide the CLI's own start-up).
const home = mkdtempSync(join(work, "home-"));
const base = { PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8" };
const sandboxEnv = { ...base, ...sandbox.env() };
const ACCOUNT = sandbox.world.instance.accountId;
const HOP1 = `arn:aws:iam::${ACCOUNT}:role/ExampleAssumedRole`;
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const chain = [HOP1, HOP2];
const hitCache = mkdtempSync(join(work, "cache-hit-"));

const botocore = botocoreRow({ workDir: work, env: sandboxEnv, hop1: HOP1, hop2: HOP2, region: sandbox.world.instance.region });

/** The fast rows, alternated. `expect`: the exit status a run must have to count. */
const fast = [
  { id: "node", label: "`node -e 0`", cmd: node, args: ["-e", "0"], env: base, expect: 0 },
  { id: "help", label: "`assume-role --help`", cmd: node, args: [bin, "--help"], env: base, expect: 0 },
  { id: "unset", label: "`assume-role unset`", cmd: node, args: [bin, "unset"], env: base, expect: 0 },
  { id: "hit", label: "two-hop chain, cache hit", cmd: node, args: [bin, ...chain], env: { ...sandboxEnv, XDG_CACHE_HOME: hitCache }, expect: 0 },
  { id: "cold", label: "cold two-hop chain from IMDS (`--no-cache`)", cmd: node, args: [bin, "--no-cache", ...chain], env: sandboxEnv, expect: 0 },
  ...(botocore.skipped === undefined ? [botocore] : []),
  {
    id: "refused",
    label: "off EC2: IMDS refuses connections",
    cmd: node,
    args: [bin, ...chain],
    env: { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:65531", XDG_CACHE_HOME: mkdtempSync(join(work, "cache-off-")) },
    expect: undefined,
  },
];
const neverAnswers = {
  id: "silent",
  label: "off EC2: IMDS never answers",
  cmd: node,
  args: [bin, ...chain],
  env: { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${blackhole.address().port}`, XDG_CACHE_HOME: mkdtempSync(join(work, "cache-off-")) },
  expect: undefined,
};

const times = Object.fromEntries([...fast, neverAnswers].map((r) => [r.id, []]));
const cpu = Object.fromEntries([...fast, neverAnswers].map((r) => [r.id, []]));
const exits = Object.fromEntries([...fast, neverAnswers].map((r) => [r.id, new Set()]));

log(`${WARMUP} warm-up + ${ROUNDS} alternated rounds of ${fast.length} rows (node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)})`);
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (let k = 0; k < fast.length; k++) {
    const row = fast[(k + round) % fast.length];
    const r = await timed(row);
    if (round >= WARMUP) {
      times[row.id].push(r.ms);
      cpu[row.id].push(r.cpuMs);
    }
  }
}

log(`${SLOW_RUNS} runs with IMDS never answering`);
for (let i = 0; i < SLOW_RUNS; i++) {
  const r = await timed(neverAnswers);
  times.silent.push(r.ms);
  cpu.silent.push(r.cpuMs);
}

log("counting requests: one cache hit, one cold chain of each client behind a timing proxy");
const hitCounts = await counted(() => timed(fast.find((r) => r.id === "hit")));
const coldTrips = await viaProxies(fast.find((r) => r.id === "cold"));
const botoTrips = botocore.skipped === undefined ? await viaProxies(botocore) : undefined;

log(`${BURSTS} bursts of ${BURST} processes with a cold cache`);
const bursts = [];
for (let i = 0; i < BURSTS; i++) bursts.push(await burst());

blackhole.close();
await sandbox.close();
rmSync(work, { recursive: true, force: true });

// ---- report ----
const stats = Object.fromEntries(Object.entries(times).map(([id, xs]) => [id, summarize(xs)]));
const nodeMs = stats.node.median;
const ratio = (id) => stats[id].median / nodeMs;
const exitText = (id) => `exit ${[...exits[id]].join("/")}`;
const coldBudget = nodeMs + 5 * LATENCY_MS + 60;
const burstStats = summarize(bursts.map((b) => b.ms));
const perRun = (key) => bursts.map((b) => b[key]).join(" / ");

const rows = [
  { id: "node", label: "`node -e 0`", stats: stats.node, ratio: 1 },
  { id: "help", label: "`assume-role --help`", stats: stats.help, ratio: ratio("help"), target: "≤ 1.3×", targetRatio: 1.3, met: ratio("help") <= 1.3 },
  { id: "unset", label: "`assume-role unset`", stats: stats.unset, ratio: ratio("unset") },
  {
    id: "hit",
    label: "two-hop chain, cache hit",
    stats: stats.hit,
    ratio: ratio("hit"),
    observed: `${hitCounts.imds} IMDS + ${hitCounts.sts} STS requests`,
    target: "≤ 1.5×, 0 requests",
    targetRatio: 1.5,
    met: ratio("hit") <= 1.5 && hitCounts.imds + hitCounts.sts === 0,
  },
  {
    id: "cold",
    label: "cold two-hop chain from IMDS (`--no-cache`)",
    stats: stats.cold,
    ratio: ratio("cold"),
    observed: tripsText(coldTrips),
    target: `≤ node + 5 × ${LATENCY_MS} ms + 60 ms = ${coldBudget.toFixed(0)} ms`,
    targetRatio: coldBudget / nodeMs,
    met: stats.cold.median <= coldBudget,
  },
  botocore.skipped !== undefined
    ? { label: botocore.label, skipped: botocore.skipped, target: "botocore ≥ 2× slower" }
    : {
        id: "boto",
        label: botocore.label,
        stats: stats.boto,
        ratio: ratio("boto"),
        observed: `botocore ${(stats.boto.median / stats.cold.median).toFixed(2)}× the cold chain's time; ${tripsText(botoTrips)}`,
        target: "botocore ≥ 2× slower",
        met: stats.boto.median >= 2 * stats.cold.median,
      },
  {
    label: `${BURST} processes at once, cold cache (whole burst)`,
    stats: burstStats,
    observed: `per burst: failures ${perRun("failures")}; AssumeRole ${perRun("assumeRole")}; IMDS requests ${perRun("imds")}`,
    target: "0 failures, 1 AssumeRole per hop, ≤ 10 IMDS requests",
    met: bursts.every((b) => b.failures === 0 && b.assumeRole === 2 && b.imds <= 10),
  },
  {
    id: "refused",
    label: "off EC2: IMDS refuses connections",
    stats: stats.refused,
    ratio: ratio("refused"),
    observed: exitText("refused"),
    target: `fails within ${OFF_EC2_LIMIT_MS / 1000} s`,
    met: stats.refused.max <= OFF_EC2_LIMIT_MS,
  },
  {
    id: "silent",
    label: "off EC2: IMDS never answers",
    stats: stats.silent,
    ratio: ratio("silent"),
    observed: exitText("silent"),
    target: `fails within ${OFF_EC2_LIMIT_MS / 1000} s`,
    met: stats.silent.max <= OFF_EC2_LIMIT_MS,
  },
];

const cpuNode = summarize(cpu.node).median;
for (const row of rows) {
  if (row.id === undefined || cpu[row.id] === undefined || cpu[row.id].length === 0) continue;
  row.cpu = summarize(cpu[row.id]);
  row.cpuRatio = row.cpu.median / cpuNode;
}

const header = [
  `${new Date().toISOString()}, node ${process.version}, ${process.platform}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  `\`bin/assume-role.js\` runs ${binEntry()}`,
  `sandbox (IMDS + STS) in the benchmark's process, every answer sent ${LATENCY_MS} ms after its request arrived (the sandbox's own work inside that time); environment: PATH, an empty HOME, LANG (no NODE_EXTRA_CA_CERTS, no AWS_* settings besides the sandbox's endpoints)`,
  `fast rows: ${WARMUP} warm-up rounds, then ${ROUNDS} rounds each running every row once (start rotated); IMDS never answering: ${SLOW_RUNS} runs; the burst: ${BURSTS} runs`,
  "wall and CPU (user + sys of the command) as bash's `time` reports them; the targets are on wall time, the CPU column is the steadier figure when other work shares the cores",
  `chain: ${HOP1} → ${HOP2}, from the instance profile's credentials (IMDS)`,
];
const notes = [
  "Serial round trips: the longest sequence of requests each sent only after the previous one was answered, timed by a proxy in front of the sandbox in one separate run (its own latency is not in the timed runs).",
  ...(botocore.skipped === undefined ? [`botocore: ${botocore.version}, \`credential_source = Ec2InstanceMetadata\` profile + \`source_profile\` profile, AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_ENDPOINT_URL_STS at the sandbox.`] : []),
];
const outDir = join(root, "bench/results");
mkdirSync(outDir, { recursive: true });
const md = markdownReport({ rows, header, notes });
writeFileSync(join(outDir, "latest.md"), md);
writeFileSync(join(outDir, "latest.svg"), svgChart({ rows, title: `assume-role vs node -e 0 (node ${process.version}, sandbox ${LATENCY_MS} ms per request)` }));
process.stdout.write(md);
log(`wrote ${join("bench/results", "latest.md")} and latest.svg`);

// ---- helpers ----

/** Run a row once; a run that does not exit as the row expects stops the benchmark (it measured something else). */
async function timed(row) {
  const r = await runTimed(row.cmd, row.args, row.env);
  exits[row.id]?.add(r.status);
  if (row.expect !== undefined && r.status !== row.expect) {
    throw new Error(`${row.label}: exit ${r.status}, expected ${row.expect}\n${r.stderr}`);
  }
  return r;
}

// spawnSync would block the sandbox living in this process: every child runs asynchronously.
function spawnWall(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr, ms: performance.now() - t0 }));
  });
}

/** IMDS and STS requests the sandbox received during `run`. */
async function counted(run) {
  sandbox.resetCounts();
  await run();
  const sum = (table) => Object.values(table).reduce((a, b) => a + b, 0);
  return { imds: sum(sandbox.counts.imds), sts: sum(sandbox.counts.sts) };
}

/** One run of `row` with IMDS and STS behind timing proxies: requests made and serial round trips. */
async function viaProxies(row) {
  const imds = await startTimingProxy(sandbox.imdsEndpoint);
  const sts = await startTimingProxy(sandbox.stsEndpoint);
  try {
    await timed({ ...row, id: undefined, env: { ...row.env, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, AWS_ENDPOINT_URL_STS: sts.url } });
    return { imds: imds.intervals.length, sts: sts.intervals.length, serial: serialRoundTrips([...imds.intervals, ...sts.intervals]) };
  } finally {
    await Promise.all([imds.close(), sts.close()]);
  }
}

function tripsText(t) {
  return `${t.imds} IMDS + ${t.sts} STS requests, ${t.serial} serial round trips`;
}

/** BURST processes started at once, sharing one empty cache directory. */
async function burst() {
  const env = { ...sandboxEnv, XDG_CACHE_HOME: mkdtempSync(join(work, "cache-burst-")) };
  sandbox.resetCounts();
  const t0 = performance.now();
  const runs = await Promise.all(Array.from({ length: BURST }, () => spawnWall(node, [bin, ...chain], env)));
  const ms = performance.now() - t0;
  const imds = Object.values(sandbox.counts.imds).reduce((a, b) => a + b, 0);
  return { ms, failures: runs.filter((r) => r.status !== 0).length, assumeRole: sandbox.counts.sts.AssumeRole ?? 0, imds };
}

/** What the bin loads: the bundle when `npm run build` made one, else tsc's dist/main.js. */
function binEntry() {
  const text = readFileSync(bin, "utf8");
  return /bundle/.test(text) ? "the esbuild bundle (dist/bundle/)" : "tsc's output (dist/main.js)";
}
