"use strict";
// Part of `npm run build` (scripts/build-bundle.js): V8 code caches for the bundle's files (FILE.cache), read by
// bin/load-bundle.cjs. A cache made after code ran holds every function that ran, compiled; so the CLI is run
// the way it is used, against the sandbox on loopback, several runs in one V8, and the caches written after:
// - the SDK's files: after a two-hop chain from IMDS (a cache miss, with requests to STS);
// - main.cjs: after `--help`, the same chain answered from the credential cache, and `unset`. Not after the
//   miss: what only a miss runs would enlarge the cache every start reads, and a miss waits on the network.
// V8 accepts a cache only from the same V8 version and flags; bin/load-bundle.cjs compiles as usual if not.
//   node scripts/code-cache.cjs DIR                          make DIR/**/*.cache
//   node scripts/code-cache.cjs DIR run SAVE ARGS... [-- ARGS...]   (a child of the above)
const { spawn } = require("node:child_process");
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, relative, resolve } = require("node:path");
const { execute } = require("../bin/load-bundle.cjs");

const [dirArg, mode, save, ...rest] = process.argv.slice(2);
const dir = resolve(dirArg);
if (mode === "run") void runAndSave(save, split(rest));
else void make();

/** Start the sandbox here; run the workloads in children (each its own V8) that share its endpoints and cache. */
async function make() {
  for (const f of readdirSync(dir, { recursive: true })) if (String(f).endsWith(".cache")) rmSync(join(dir, String(f)));
  const { startSandbox } = require(join(dir, "sandbox.cjs"));
  const sandbox = await startSandbox({});
  const home = mkdtempSync(join(tmpdir(), "assume-role-code-cache-"));
  const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: home, LANG: "C.UTF-8", ...sandbox.env() };
  const chain = [`arn:aws:iam::${sandbox.world.instance.accountId}:role/ExampleAssumedRole`, "arn:aws:iam::222222222222:role/CrossAccountRole"];
  try {
    await child(env, "lib", chain);
    await child(env, "main", ["--help"], ["--", ...chain], ["--", "unset"]);
  } finally {
    await sandbox.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function child(env, save, ...runs) {
  return new Promise((resolve, reject) => {
    // stdout (the CLI's output) is dropped; a failing run says why on stderr and fails the build.
    const p = spawn(process.execPath, [__filename, dir, "run", save, ...runs.flat()], { stdio: ["ignore", "ignore", "inherit"], env });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`code cache: the ${save} workload exited ${code}`))));
  });
}

/** Run the CLI once per ARGS list in this process, then write the caches of the files SAVE names (main, lib). */
async function runAndSave(which, runs) {
  const scripts = new Map();
  const main = join(dir, "main.cjs");
  for (const args of runs) {
    process.argv = [process.execPath, join(__dirname, "../bin/assume-role.js"), ...args];
    process.exitCode = undefined;
    execute(main, (file, script) => scripts.set(file, script));
    // main.cjs sets process.exitCode when its run ends.
    while (process.exitCode === undefined) await new Promise((r) => setTimeout(r, 5));
    if (process.exitCode !== 0) throw new Error(`code cache: assume-role ${args.join(" ")} exited ${process.exitCode}`);
  }
  for (const [file, script] of scripts) {
    if ((file === main) === (which === "main")) writeFileSync(`${file}.cache`, script.createCachedData());
  }
  process.stderr.write(`code cache: ${[...scripts.keys()].filter((f) => (f === main) === (which === "main")).map((f) => relative(dir, f)).join(", ")}\n`);
  process.exit(0);
}

/** ["a", "b", "--", "c"] → [["a", "b"], ["c"]] */
function split(words) {
  const runs = [[]];
  for (const w of words) w === "--" ? runs.push([]) : runs[runs.length - 1].push(w);
  return runs;
}
