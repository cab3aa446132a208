"use strict";
// Runs a CommonJS file of the bundle (dist/bundle/, scripts/build-bundle.js) as require() would, but compiled
// with V8's code cache for it (FILE.cache, made at build time by scripts/code-cache.cjs): V8 then skips parsing
// and compiling what the cache holds. V8 checks that the cache was made by the same V8 version with the same
// flags for the same source; when it was not (another Node, a flag), it rejects the cache and compiles as usual.
// Node 20 has no other compile cache (module.enableCompileCache is Node >= 22.1; bin/assume-role.js prefers it).
const { readFileSync } = require("node:fs");
// Module itself, without require("node:module"), whose public face loads source-map and ES module support (~5%).
const { createRequire } = module.constructor;
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const scripts = new Map();
const modules = new Map();

/** `file` compiled (once), with its code cache when V8 accepts it. */
function compile(file) {
  let script = scripts.get(file);
  if (script === undefined) {
    // latin1: one read and a one-byte string, where "utf8" on Node 20 reads in 8 KiB pieces. The same text, as
    // the build makes every bundle file ASCII (scripts/build-bundle.js refuses any other byte).
    const source = readFileSync(file, "latin1");
    let cachedData;
    try {
      cachedData = readFileSync(`${file}.cache`);
    } catch {
      cachedData = undefined; // no cache for this file: compile it
    }
    script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
    scripts.set(file, script);
  }
  return script;
}

/**
 * Run `file` as a new module and return its exports. Its require() of a sibling bundle file (`./lib/x.cjs`,
 * `./sandbox.cjs`) goes through loadBundle. `onCompiled(file, script)` sees each script after it ran
 * (scripts/code-cache.cjs saves its cache).
 */
function execute(file, onCompiled) {
  const script = compile(file);
  const dir = dirname(file);
  const module = { exports: {}, filename: file, loaded: false };
  modules.set(file, module);
  const nodeRequire = createRequire(file);
  const bundleRequire = (id) => (/^\.\/[\w./-]+\.cjs$/.test(id) ? loadBundle(join(dir, id), onCompiled) : nodeRequire(id));
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

module.exports = { loadBundle, execute, compile };
