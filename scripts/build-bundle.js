// The second step of `npm run build` (after tsc): bundle the CLI and every runtime dependency into
// dist/bundle/ with esbuild. main.js holds what `--help`, `unset` and a cache hit need; every dynamic
// `import()` (the commands, the AWS SDK, the sandbox) becomes a chunk loaded only when that code runs.
// The published package ships this directory, so it installs with no dependencies.
import { build } from "esbuild";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { main: "src/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Prefer the dependencies' ES module builds: they tree-shake, and need no CommonJS wrapper.
  mainFields: ["module", "main"],
  // Minified code parses faster at every start; names are kept (errors are matched by name).
  minify: true,
  keepNames: true,
  // Licences ship whole in THIRD_PARTY_LICENSES.txt (below), not as comments scattered over chunks.
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS dependencies (commander) `require` Node's built-ins; an ES module has no `require`.
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  metafile: true,
  logLevel: "warning",
});

// What each chunk holds (esbuild's metafile; https://esbuild.github.io/analyze/ reads it). Not shipped.
writeFileSync(`${root}dist/bundle-meta.json`, JSON.stringify(result.metafile));
writeFileSync(join(outdir, "THIRD_PARTY_LICENSES.txt"), thirdPartyLicenses(Object.keys(result.metafile.inputs)));

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".js"));
const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
const main = outputs.find(([file]) => file.endsWith("bundle/main.js"));
console.log(`bundle: dist/bundle/main.js ${(main[1].bytes / 1024).toFixed(0)} KiB + ${outputs.length - 1} lazy chunks (${(total / 1024).toFixed(0)} KiB in all)`);

/** The licence (and NOTICE) texts of every package the bundle contains (it redistributes them), each text once. */
function thirdPartyLicenses(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(join(root, m[1]));
  }
  const byText = new Map();
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const files = readdirSync(dir).filter((f) => /^(licen[cs]e|notice)/i.test(f));
    const text = files.length ? files.map((f) => readFileSync(join(dir, f), "utf8").trim()).join("\n\n") : `(no licence file; package.json says ${pkg.license})`;
    byText.set(text, [...(byText.get(text) ?? []), `${pkg.name}@${pkg.version} (${pkg.license})`]);
  }
  const sections = [...byText].map(([text, names]) => `${names.join("\n")}\n\n${text}`);
  return `Packages bundled into dist/bundle/ (${dirs.size}) and their licences.\n\n${sections.join(`\n\n${"=".repeat(72)}\n\n`)}\n`;
}
