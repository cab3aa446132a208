#!/usr/bin/env node
// The installed command: runs the esbuild bundle `npm run build` writes (dist/bundle/, scripts/build-bundle.js).
// CommonJS (bin/package.json), so Node 20 starts no ES module loader. Node >= 22.1 caches compiled code itself
// (module.enableCompileCache); on older Node, load-bundle.cjs compiles with the code cache made at build time.
"use strict";
const { join } = require("node:path");

// module.constructor is require("node:module") without loading that builtin's public face (source maps, ESM).
const Module = module.constructor;
const main = join(__dirname, "../dist/bundle/main.cjs");
if (typeof Module.enableCompileCache === "function") {
  Module.enableCompileCache();
  require(main);
} else {
  require("./load-bundle.cjs").loadBundle(main);
}
