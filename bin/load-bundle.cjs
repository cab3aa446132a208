"use strict";
// Runs a CommonJS file of the bundle (dist/bundle/, scripts/build-bundle.js) as require() would, but compiled
// with V8's code cache for it (FILE.cache, made at build time by scripts/code-cache.cjs): V8 then skips parsing
// and compiling what the cache holds. V8 checks that the cache was made by the same V8 version with the same
// flags for the same source; when it was not (another Node, a flag), it rejects the cache and compiles as usual.
// Node 20 has no other compile cache (module.enableCompileCache is Node >= 22.1; bin/assume-role.js prefers it).
const { readFile, readFileSync } = require("node:fs");
// Module itself, without require("node:module"), whose public face loads source-map and ES module support (~5%).
const { createRequire } = module.constructor;
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const scripts = new Map();
const modules = new Map();
const loading = new Map();

/**
 * `file` compiled (once), with its code cache when V8 accepts it. `read`: its text and cache, read already
 * (loadBundleAsync); else read here.
 */
function compile(file, read) {
  let script = scripts.get(file);
  if (script === undefined) {
    // latin1: one read and a one-byte string, where "utf8" on Node 20 reads in 8 KiB pieces. The same text, as
    // the build makes every bundle file ASCII (scripts/build-bundle.js refuses any other byte).
    const { source, cachedData } = read ?? { source: readFileSync(file, "latin1"), cachedData: readCacheSync(file) };
    script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
    scripts.set(file, script);
  }
  return script;
}

function readCacheSync(file) {
  try {
    return readFileSync(`${file}.cache`);
  } catch {
    return undefined; // no cache for this file: compile it
  }
}

/**
 * Run `file` as a new module and return its exports. Its require() of a sibling bundle file (`./lib/x.cjs`,
 * `./sandbox.cjs`) goes through loadBundle; `require.async` of one (what the build makes of an `import()` of a
 * package) through loadBundleAsync. `onCompiled(file, script)` sees each script after it ran (scripts/code-cache.cjs
 * saves its cache).
 */
function execute(file, onCompiled, read) {
  const script = compile(file, read);
  const dir = dirname(file);
  const module = { exports: {}, filename: file, loaded: false };
  modules.set(file, module);
  const nodeRequire = createRequire(file);
  const sibling = (id) => /^\.\/[\w./-]+\.cjs$/.test(id);
  const bundleRequire = (id) => (sibling(id) ? loadBundle(join(dir, id), onCompiled) : nodeRequire(id));
  bundleRequire.async = (id) => (sibling(id) ? loadBundleAsync(join(dir, id), onCompiled) : Promise.resolve().then(() => nodeRequire(id)));
  script.runInThisContext()(module.exports, bundleRequire, module, file, dir);
  module.loaded = true;
  onCompiled?.(file, script);
  return module.exports;
}

/** The exports of `file`, run once (as require() would). */
function loadBundle(file, onCompiled) {
  const known = modules.get(file);
  return known ? known.exports : execute(file, onCompiled);
}

/**
 * The exports of `file`, as loadBundle gives them, without holding the event loop for the whole load: the file
 * and its cache are read on libuv's threads, then compiled in one turn of the event loop and run in a later one.
 * The SDK's STS file is ~40 ms of work in one piece; loaded while the first IMDS request is on the network, it
 * would hold back that answer and every request after it. A require() of the file in between loads it at once.
 */
function loadBundleAsync(file, onCompiled) {
  const known = modules.get(file);
  if (known) return Promise.resolve(known.exports);
  let pending = loading.get(file);
  if (pending === undefined) {
    pending = readBoth(file)
      .then((read) => nextTurn(() => compile(file, read)).then(() => read))
      .then((read) => nextTurn(() => modules.get(file)?.exports ?? execute(file, onCompiled, read)));
    loading.set(file, pending);
  }
  return pending;
}

function readBoth(file) {
  const source = new Promise((resolve, reject) => readFile(file, "latin1", (err, text) => (err ? reject(err) : resolve(text))));
  const cachedData = new Promise((resolve) => readFile(`${file}.cache`, (err, bytes) => resolve(err ? undefined : bytes)));
  return Promise.all([source, cachedData]).then(([s, c]) => ({ source: s, cachedData: c }));
}

/** `work` in a later turn of the event loop, after the I/O that is ready now has been handled. */
function nextTurn(work) {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(work());
      } catch (err) {
        reject(err);
      }
    }),
  );
}

module.exports = { loadBundle, loadBundleAsync, execute, compile };
