// npm run bench: wall-time medians of the CLI's hot paths, spawned as a user would run them.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox } from "../dist/sandbox/index.js";

const runs = Number(process.env.BENCH_RUNS ?? 15);
const bin = fileURLToPath(new URL("../bin/assume-role.js", import.meta.url));
const sandbox = await startSandbox();
// Accepts connections and never answers: what an unreachable IMDS looks like to a client off EC2.
const blackhole = createServer(() => {}).listen(0, "127.0.0.1");
await new Promise((r) => blackhole.once("listening", r));
const blackholeUrl = `http://127.0.0.1:${blackhole.address().port}`;

const cacheDir = mkdtempSync(join(tmpdir(), "assume-role-bench-"));
const base = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" };
const chain = ["ExampleAssumedRole", "arn:aws:iam::222222222222:role/CrossAccountRole"];
const cases = [
  ["node -e 0", ["-e", "0"], base, 0],
  ["assume-role --help", [bin, "--help"], base, 0],
  ["assume-role unset", [bin, "unset"], base, 0],
  ["cold two-hop chain from IMDS (sandbox)", [bin, "--no-cache", ...chain], { ...base, ...sandbox.env() }, 0],
  ["two-hop chain, cache hit (sandbox)", [bin, ...chain], { ...base, ...sandbox.env(), XDG_CACHE_HOME: cacheDir }, 0],
  ["off EC2: IMDS refuses connections", [bin, ...chain], { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:65531" }, 3],
  ["off EC2: IMDS never answers", [bin, ...chain], { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: blackholeUrl }, 3],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const [name, args, env, expected] of cases) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await spawnAsync(args, env);
    times.push(performance.now() - t0);
    if (r.status !== expected) throw new Error(`${name}: exit ${r.status}, expected ${expected}: ${r.stderr}`);
  }
  results.push([name, median(times)]);
}

// spawnSync would block the sandbox that lives in this process; run each child asynchronously.
function spawnAsync(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

const nodeBaseline = results[0][1];
console.log(`median wall time of ${runs} runs each (node ${process.version}, ${process.platform})`);
for (const [name, ms] of results) {
  console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / nodeBaseline).toFixed(2)}x node -e 0`);
}
blackhole.close();
await sandbox.close();
