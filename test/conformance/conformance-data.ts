/**
 * The cross-SDK test data (smithy-rs) lives outside the repository, in ../shared/conformance/
 * (or $ASSUME_ROLE_CONFORMANCE_DIR). It is read at test time, never copied; when it is absent the
 * conformance tests skip and say why.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { ROOT } from "../helpers/cli.js";

const DEFAULT_DIR = resolve(ROOT, "../shared/conformance");
const FROM_ENV = process.env.ASSUME_ROLE_CONFORMANCE_DIR;
export const CONFORMANCE_DIR = FROM_ENV ?? DEFAULT_DIR;

/** The parsed file, or undefined after printing why the file's tests are skipped. */
export function loadConformance<T>(file: string): T | undefined {
  const path = join(CONFORMANCE_DIR, file);
  if (!existsSync(path)) {
    const where = FROM_ENV === undefined ? `../shared/conformance (${DEFAULT_DIR}), as ASSUME_ROLE_CONFORMANCE_DIR is not set` : `ASSUME_ROLE_CONFORMANCE_DIR (${FROM_ENV})`;
    console.log(
      `conformance: skipping ${file}: ${path} does not exist. The cross-SDK data is not in this repository; ` +
        `it is read from ${where}. Put it in ../shared/conformance or set ASSUME_ROLE_CONFORMANCE_DIR to its folder.`,
    );
    return undefined;
  }
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** Counts cases as they pass and prints `file: passed/total` when the file's tests end. */
export function tally(file: string, total: number, note = ""): { pass(): void } {
  let passed = 0;
  afterAll(() => {
    if (total > 0) console.log(`conformance: ${file}: ${passed}/${total} cases pass${note}`);
  });
  return { pass: () => void passed++ };
}
