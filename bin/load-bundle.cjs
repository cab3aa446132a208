"use strict";
// Runs a CommonJS file of the bundle (dist/bundle/, scripts/build-bundle.js) as require() would, but compiled
// with V8's code cache for it (FILE.cache, made at build time by scripts/code-cache.cjs): V8 then skips parsing
// and compiling what the cache holds. V8 checks that the cache was made by the same V8 version with the same
// flags for the same source; when it was not (another Node, a flag), it rejects the cache and compiles as usual.
// Node 20 has no other compile cache (module.enableCompileCache is Node >= 22.1; bin/assume-role.js prefers it).
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
// Module itself, without require("node:module"), whose public face loads source-map and ES module support (~5%).
const { createRequire } = module.constructor;
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const scripts = new Map();
const modules = new Map();
const loading = new Map();

/** `file` compiled (once), with its code cache when V8 accepts it. */
function compile(file) {
  let script = scripts.get(file);
  if (script === undefined) {
    const fd = openSync(file, "r");
    const cacheFd = openCache(file);
    try {
      const size = fstatSync(fd).size;
      const bytes = memory(Math.max(size, cacheFd === undefined ? 0 : fstatSync(cacheFd).size));
      // latin1: a one-byte string of the bytes as they are. The same text, as the build makes every bundle file
      // ASCII (scripts/build-bundle.js refuses any other byte).
      const source = bytes.toString("latin1", 0, readAll(fd, bytes));
      // The cache goes into the same memory: the source's bytes are in the string now, and V8 keeps none of the
      // cache's (it reads them while it compiles).
      const cachedData = cacheFd === undefined ? undefined : bytes.subarray(0, readAll(cacheFd, bytes));
      script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
    } finally {
      closeSync(fd);
      if (cacheFd !== undefined) closeSync(cacheFd);
    }
    scripts.set(file, script);
  }
  return script;
}

function openCache(file) {
  try {
    return openSync(`${file}.cache`, "r");
  } catch {
    return undefined; // no cache for this file: compile it
  }
}

/**
 * At least `size` bytes of memory that every file read here shares. Memory the process has not touched yet costs a
 * page fault per 4 KiB (~4 ms per MiB on a small VM), and readFileSync takes new memory for each file: a bundle file
 * and its cache are a few hundred KiB each. 1 MiB holds any of them: a page is paid for only once it is touched, and
 * a later file reuses the pages an earlier one touched.
 */
let shared = Buffer.alloc(0);
function memory(size) {
  if (size > shared.length) shared = Buffer.allocUnsafeSlow(Math.max(size, 1 << 20));
  return shared;
}

/** Read the whole file `fd` into `bytes` (big enough); the number of bytes read. */
function readAll(fd, bytes) {
  let n = 0;
  while (n < bytes.length) {
    const got = readSync(fd, bytes, n, bytes.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/**
 * Run `file` as a new module and return its exports. Its require() of a sibling bundle file (`./lib/x.cjs`,
 * `./sandbox.cjs`) goes through loadBundle; `require.async` of one (what the build makes of an `import()` of a
 * package) through loadBundleAsync. `onCompiled(file, script)` sees each script after it ran (scripts/code-cache.cjs
 * saves its cache).
 */
function execute(file, onCompiled) {
  const script = compile(file);
  const dir = dirname(file);
  const module = { exports: {}, filename: file, loaded: false };
  modules.set(file, module);
  const nodeRequire = createRequire(file);
  const sibling = (id) => /^\.\/[\w./-]+\.cjs$/.test(id);
  const bundleRequire = (id) => (sibling(id) ? loadBundle(join(dir, id), onCompiled) : nodeRequire(id));
  bundleRequire.async = (id) => (sibling(id) ? loadBundleAsync(join(dir, id), onCompiled) : Promise.resolve().then(() => nodeRequire(id)));
  try {
    script.runInThisContext()(module.exports, bundleRequire, module, file, dir);
  } catch (err) {
    // As require() does: a file whose code threw is not loaded, and the next load runs it again.
    modules.delete(file);
    throw err;
  }
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
 * The exports of `file`, as loadBundle gives them, without holding the event loop for the whole load: the file is
 * read and compiled in one turn of the event loop and run in a later one. The SDK's STS file is ~15 ms of work;
 * loaded in one piece while the first IMDS request is on the network, it held back that answer. Read
 * synchronously, not on libuv's threads: each step of an asynchronous read (open, stat, read, close) waits for a
 * turn of the event loop, which other work was holding. A require() of the file in between loads it at once.
 */
function loadBundleAsync(file, onCompiled) {
  const known = modules.get(file);
  if (known) return Promise.resolve(known.exports);
  let pending = loading.get(file);
  if (pending === undefined) {
    pending = nextTurn(() => compile(file))
      .then(() => nextTurn(() => (modules.has(file) ? modules.get(file).exports : execute(file, onCompiled))))
      .finally(() => loading.delete(file));
    loading.set(file, pending);
  }
  return pending;
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
