/**
 * What makes the installed command start fast (README, Start-up): V8 accepts the code cache the build made beside
 * a file. A cache V8 rejects costs nothing visible but time: the file is compiled as usual, so only this test
 * notices. (That every bundle file is ASCII, as bin/load-bundle.cjs reads them as latin1, the build itself checks:
 * scripts/build-bundle.js fails on any other byte.)
 * Needs `npm run build` first (as every e2e test), with the Node that runs the tests.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const bundle = join(ROOT, "dist/bundle");
const files = readdirSync(bundle, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".cjs"));
const { compile } = createRequire(import.meta.url)(join(ROOT, "bin/load-bundle.cjs")) as {
  compile: (file: string) => { cachedDataRejected?: boolean };
};

describe("the bundle the bin runs", () => {
  it("main.cjs and the STS client file (lib/sts-sdk.cjs) have a code cache, and V8 accepts each", () => {
    const cached = files.filter((f) => existsSync(join(bundle, `${f}.cache`)));
    expect(cached).toEqual(expect.arrayContaining(["main.cjs", "lib/sts-sdk.cjs"]));
    for (const file of cached) expect([file, compile(join(bundle, file)).cachedDataRejected]).toEqual([file, false]);
  });
});
