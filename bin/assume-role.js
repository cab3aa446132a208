#!/usr/bin/env node
// The installed command: the esbuild bundle `npm run build` writes (scripts/build-bundle.js).
// Node >= 22.1 keeps compiled code between runs (module.enableCompileCache); Node 20 has no such cache.
import module from "node:module";
module.enableCompileCache?.();
await import("../dist/bundle/main.js");
