/**
 * bin/load-bundle.cjs, which the installed command runs the bundle with: a file's require.async (what the build
 * makes of `import()` of an SDK file) gives the same exports as require(), runs the file once however the two
 * are mixed, and lets other work run before the file does; a missing file rejects; a file whose code throws is
 * not kept half-loaded; files read into the loader's shared memory keep their own text.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

interface Loader {
  loadBundle(file: string): Record<string, unknown>;
  loadBundleAsync(file: string): Promise<Record<string, unknown>>;
  compile(file: string): Script;
}
const { loadBundle, loadBundleAsync, compile } = createRequire(import.meta.url)(join(ROOT, "bin/load-bundle.cjs")) as Loader;

/** A directory with main.cjs, which loads ./lib/dep.cjs as `how` says, and dep.cjs, which counts its runs. */
function bundle(how: string): string {
  const dir = mkdtempSync(join(tmpdir(), "assume-role-load-bundle-"));
  mkdirSync(join(dir, "lib"));
  writeFileSync(join(dir, "lib/dep.cjs"), "globalThis.__depRuns = (globalThis.__depRuns ?? 0) + 1; exports.answer = 42;\n", "latin1");
  writeFileSync(join(dir, "main.cjs"), `exports.load = () => ${how};\n`, "latin1");
  return dir;
}

const runs = () => (globalThis as { __depRuns?: number }).__depRuns ?? 0;

describe("bin/load-bundle.cjs", () => {
  it("require.async gives the file's exports, after the work queued now has run", async () => {
    const dir = bundle('require.async("./lib/dep.cjs")');
    const before = runs();
    const order: string[] = [];
    const loading = (loadBundle(join(dir, "main.cjs")).load as () => Promise<{ answer: number }>)().then((m) => (order.push("loaded"), m));
    setImmediate(() => order.push("other work"));
    expect((await loading).answer).toBe(42);
    expect(order).toEqual(["other work", "loaded"]);
    expect(runs()).toBe(before + 1);
  });

  it("a require() while the load is pending runs the file at once; the pending load then gives the same exports", async () => {
    const dir = bundle('[require.async("./lib/dep.cjs"), require("./lib/dep.cjs")]');
    const before = runs();
    const [pending, now] = (loadBundle(join(dir, "main.cjs")).load as () => [Promise<object>, object])();
    expect(runs()).toBe(before + 1);
    expect(await pending).toBe(now);
    expect(runs()).toBe(before + 1);
  });

  it("two loads of one file share one read and one run", async () => {
    const dir = bundle('require.async("./lib/dep.cjs")');
    const before = runs();
    const [a, b] = await Promise.all([loadBundleAsync(join(dir, "lib/dep.cjs")), loadBundleAsync(join(dir, "lib/dep.cjs"))]);
    expect(a).toBe(b);
    expect(runs()).toBe(before + 1);
  });

  it("a file whose code throws: each load throws again, as require() does, none gives half-made exports", async () => {
    const dir = bundle('require.async("./lib/boom.cjs")');
    writeFileSync(join(dir, "lib/boom.cjs"), "exports.before = 1; throw new Error('init failed');\n", "latin1");
    const load = loadBundle(join(dir, "main.cjs")).load as () => Promise<unknown>;
    await expect(load()).rejects.toThrow("init failed");
    await expect(load()).rejects.toThrow("init failed");
    expect(() => loadBundle(join(dir, "lib/boom.cjs"))).toThrow("init failed");
  });

  it("a file that is not there rejects with the read's error", async () => {
    const dir = bundle('require.async("./lib/missing.cjs")');
    await expect((loadBundle(join(dir, "main.cjs")).load as () => Promise<unknown>)()).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("files read one after another, each with its code cache, keep their own text: code compiled later runs as written", () => {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-load-bundle-"));
    // A function that runs only later is compiled from the file's text then, after other files were read.
    const file = (name: string, size: number) => {
      const text = `exports.later = () => ${JSON.stringify(name.repeat(size))};\n`;
      writeFileSync(join(dir, `${name}.cjs`), text, "latin1");
      const wrapped = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
      writeFileSync(join(dir, `${name}.cjs.cache`), new Script(wrapped).createCachedData());
      return { path: join(dir, `${name}.cjs`), expected: name.repeat(size) };
    };
    const [a, b] = [file("a", 300_000), file("b", 200_000)];
    const first = loadBundle(a.path).later as () => string;
    const second = loadBundle(b.path).later as () => string;
    expect([compile(a.path).cachedDataRejected, compile(b.path).cachedDataRejected]).toEqual([false, false]);
    expect(second()).toBe(b.expected);
    expect(first()).toBe(a.expected);
  });
});
