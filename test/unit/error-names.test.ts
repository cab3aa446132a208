/**
 * The bundle is minified without esbuild's keepNames (scripts/build-bundle.js), so a class's constructor name is
 * a minified one; an error shows its `name` in `-v` "caused by:" lines and stack traces. Every error class in src/
 * must therefore set its own name, as a string equal to the class's.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const src = join(ROOT, "src");
const files = readdirSync(src, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".ts"));
const classes = files.flatMap((file) => {
  const text = readFileSync(join(src, file), "utf8");
  return [...text.matchAll(/class (\w+) extends \w*Error\b[^{]*\{([\s\S]*?)\n\}/g)].map((m) => ({ file, name: m[1]!, body: m[2]! }));
});

describe("error classes", () => {
  it("there are error classes to check (the pattern still finds them)", () => {
    expect(classes.length).toBeGreaterThan(15);
  });

  it.each(classes.map((c) => [`${c.file}: ${c.name}`, c] as const))("%s names itself", (_label, c) => {
    expect(c.body).toMatch(new RegExp(`(override name = |this\\.name = )"${c.name}"`));
  });
});
