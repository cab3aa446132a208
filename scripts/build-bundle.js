// The second step of `npm run build` (after tsc): bundle the CLI and every runtime dependency into
// dist/bundle/ with esbuild, as CommonJS (Node 20 loads one CommonJS file faster than ESM modules: no
// per-module resolve/link/evaluate jobs, and vm.Script can use a V8 code cache for it, see below).
// - main.cjs: the CLI, commander, chalk and all of src/ except the sandbox. Our lazily imported modules (the
//   commands) are inside it as functions that run only when called: V8 only pre-parses them.
// - lib/<package>.cjs: each package the code imports dynamically (`await import("@aws-sdk/client-sts")`), bundled
//   on its own and loaded with require() on first use; sandbox.cjs: the emulator (`assume-role sandbox`).
// - *.cache beside each file: V8's code cache for it, produced here (scripts/code-cache.cjs) with the building
//   Node; bin/assume-role.js uses it when V8 accepts it (same V8 version and flags) and compiles as usual if not.
// The published package ships this directory, so it installs with no dependencies.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // Prefer the dependencies' ES module builds: they tree-shake, and need no CommonJS wrapper.
  mainFields: ["module", "main"],
  // Minified code parses faster at every start. Names are not kept (keepNames wraps every function and class in
  // a call that runs at start-up: 5 ms of `--help`); each error class sets its own name (src/errors.ts).
  minify: true,
  // Licences ship whole in THIRD_PARTY_LICENSES.txt (below), not as comments scattered over chunks.
  legalComments: "none",
  // `import()` becomes require() (the separate files and node:http are CommonJS to Node anyway): vm.Script,
  // which bin/assume-role.js compiles main.cjs with, has no ES module loader to hand an import() to.
  supported: { "dynamic-import": false },
  metafile: true,
  logLevel: "warning",
};

/**
 * Files built apart from main.cjs: dynamically imported packages, and the modules named in SEPARATE (the sandbox;
 * what the CLI uses of the STS client, which is all a cold chain loads of the SDK).
 */
const SEPARATE = {
  "src/sandbox/index.ts": { file: "sandbox.cjs", own: "src/sandbox/" },
  "src/sts/sts-sdk.ts": { file: "lib/sts-sdk.cjs", own: "src/sts/sts-sdk.ts" },
};
const separate = new Map(); // output file (relative to outdir) -> entry (package name or source path)

/** main.cjs requires each separate file by its relative path instead of bundling it. */
const splitOff = {
  name: "split-off",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== "dynamic-import" || args.path.startsWith("node:") || args.importer.includes("node_modules")) return undefined;
      const file = `lib/${args.path.replace(/^@/, "").replaceAll("/", "__")}.cjs`;
      separate.set(file, args.path);
      return { path: `./${file}`, external: true };
    });
    // A module of SEPARATE imported from elsewhere in src/ (not from its own files, which the separate build holds).
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const posix = (path) => relative(root, path).split(sep).join("/");
      const entry = posix(join(args.resolveDir, args.path)).replace(/\.js$/, ".ts");
      const split = SEPARATE[entry];
      const importer = posix(args.importer);
      if (split === undefined || !importer.startsWith("src/") || importer.startsWith(split.own)) return undefined;
      separate.set(split.file, entry);
      return { path: `./${split.file}`, external: true };
    });
  },
};

/**
 * commander requires node:child_process at load, for executable subcommands (separate programs it spawns),
 * which assume-role has none of; with it come net, dgram and the stream modules. It gets an object that
 * requires child_process when commander first reaches for spawn.
 */
const commanderSpawnsLazily = {
  name: "commander-spawns-lazily",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /node_modules\/commander\/lib\/command\.js$/.test(args.importer) ? { path: "lazy-child-process", namespace: "commander-spawn" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "commander-spawn" }, () => ({
      contents: 'module.exports = { get spawn() { return require("node:child_process").spawn; } };',
      loader: "js",
    }));
  },
};

/**
 * The STS and IAM clients' default credential chain (@aws-sdk/credential-provider-node: env, ini, SSO, process,
 * web identity, IMDS, each with its nested clients) is never used: every client assume-role builds is given its
 * credentials (src/sts/create-sts.ts). Left in, it is a third of the SDK file that every cold chain reads,
 * compiles and initialises; here it is a provider that says what went wrong if it is ever called.
 */
const noDefaultCredentialChain = {
  name: "no-default-credential-chain",
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: "credential-provider-node", namespace: "no-default-chain" }));
    b.onLoad({ filter: /.*/, namespace: "no-default-chain" }, () => ({
      contents:
        'export const defaultProvider = () => async () => { throw new Error("assume-role: an AWS SDK client was built without credentials (the default chain is not bundled)"); };',
      loader: "js",
    }));
  },
};

/**
 * The SDK requires node:fs/promises when its files load, for the shared config files it reads only when a setting
 * is not given (src/sts/create-sts.ts gives every one). Loading it costs 1.6 ms of a cold chain (readline comes
 * with it): the SDK gets an object whose properties (the exports of this Node's fs/promises) load it when read.
 */
const lazyFsPromises = {
  name: "lazy-fs-promises",
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs\/promises$/ }, (args) =>
      args.namespace === "lazy-fs-promises" ? { path: "node:fs/promises", external: true } : { path: "fs/promises", namespace: "lazy-fs-promises" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-fs-promises" }, async () => ({
      contents: `let loaded; const load = () => (loaded ??= require("node:fs/promises"));
for (const name of ${JSON.stringify(Object.keys(await import("node:fs/promises")).filter((k) => k !== "default"))}) {
  Object.defineProperty(module.exports, name, { get: () => load()[name], enumerable: true });
}`,
      loader: "js",
    }));
  },
};

const metas = [];
const main = await build({ ...common, entryPoints: { main: "src/main.ts" }, outExtension: { ".js": ".cjs" }, outdir, plugins: [splitOff, commanderSpawnsLazily] });
metas.push(main.metafile);
asyncLibImports(join(outdir, "main.cjs"), main.metafile);
// The SDK is in lib/ only: a dynamic import the split-off plugin missed would put it in main.cjs, which every run reads.
const sdkInMain = Object.keys(main.metafile.inputs).filter((input) => /node_modules\/@aws-sdk\//.test(input));
if (sdkInMain.length > 0) throw new Error(`main.cjs holds the AWS SDK (${sdkInMain.length} files, e.g. ${sdkInMain[0]}): import it only with import() of src/sts/sts-sdk.ts or a package`);
for (const [file, entry] of separate) {
  const r = await build({ ...common, entryPoints: [entry], outfile: join(outdir, file), plugins: [noDefaultCredentialChain, lazyFsPromises] });
  metas.push(r.metafile);
}

// What each file holds (esbuild's metafile; https://esbuild.github.io/analyze/ reads it). Not shipped.
const metafile = { inputs: Object.assign({}, ...metas.map((m) => m.inputs)), outputs: Object.assign({}, ...metas.map((m) => m.outputs)) };
writeFileSync(`${root}dist/bundle-meta.json`, JSON.stringify(metafile));
writeFileSync(join(outdir, "THIRD_PARTY_LICENSES.txt"), thirdPartyLicenses(Object.keys(metafile.inputs)));

// Every file ASCII: bin/load-bundle.cjs reads them as latin1 (one read, a one-byte string: a non-ASCII byte makes
// V8 hold the whole source as two-byte, which costs 2 ms of every start). esbuild escapes non-ASCII text in
// strings but not inside a regular expression literal: write \uXXXX there.
for (const file of new Set(metas.flatMap((m) => Object.keys(m.outputs)))) {
  if (!file.endsWith(".cjs")) continue;
  const text = readFileSync(join(root, file), "latin1");
  const at = text.search(/[^\x00-\x7f]/);
  if (at !== -1) throw new Error(`${file}: a non-ASCII byte at offset ${at}: ...${text.slice(Math.max(0, at - 40), at + 10)}... (write it as \\uXXXX in the source)`);
}

// V8 code caches, produced by running the bundle (scripts/code-cache.cjs).
execFileSync(process.execPath, [join(root, "scripts/code-cache.cjs"), outdir], { stdio: "inherit" });

const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".cjs"));
const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
const mainOut = outputs.find(([file]) => file.endsWith("bundle/main.cjs"));
console.log(
  `bundle: dist/bundle/main.cjs ${(mainOut[1].bytes / 1024).toFixed(0)} KiB + ${outputs.length - 1} lazily required files (${(total / 1024).toFixed(0)} KiB in all)`,
);

/**
 * `import()` of a file in lib/ (the STS client, the IAM client, SSO) stays asynchronous in the bundle. esbuild
 * lowers it to a require() of the file in a promise's callback, which loads the whole file in one turn of the event
 * loop (for the STS client ~30 ms, holding back every network answer that arrives meanwhile). Each becomes `require.async(file)`, which
 * bin/load-bundle.cjs provides: read and compiled in one turn, run in a later one. Where main.cjs runs
 * under Node's own require() (Node >= 22, bin/assume-role.js) there is no require.async, and the lowered form is
 * used. The build fails unless every `./lib/` import in the metafile was rewritten.
 */
function asyncLibImports(file, metafile) {
  const lowered = /Promise\.resolve\(\)\.then\(\(\)\s*=>\s*([\w$]+)\(require\("(\.\/lib\/[\w.-]+\.cjs)"\),\s*1\)\)/g;
  const text = readFileSync(file, "latin1");
  let rewritten = 0;
  const out = text.replace(lowered, (_, toEsm, lib) => {
    rewritten++;
    return `(require.async?require.async("${lib}"):Promise.resolve().then(()=>require("${lib}"))).then(m=>${toEsm}(m,1))`;
  });
  const main = Object.entries(metafile.outputs).find(([f]) => f.endsWith("/main.cjs"))[1];
  const expected = main.imports.filter((i) => i.external && i.path.startsWith("./lib/")).length;
  if (rewritten !== expected) throw new Error(`${file}: rewrote ${rewritten} import()s of ./lib/ files, the metafile lists ${expected}: has esbuild's output changed?`);
  writeFileSync(file, out, "latin1");
}

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
