/**
 * Every case of file-location-tests.json, run through the command's own planning step
 * (planFromOptions, as `assume-role --dry-run` uses it) with a recording fake file system:
 * which two files are read for the case's environment and platform, and which profile is selected.
 *
 * Deliberate divergence (docs/conformance.md): without --profile or AWS_PROFILE, assume-role selects
 * no profile at all (its source is `auto`: environment keys, web identity, container, IMDS), where
 * the SDKs select `default`. Those cases check that nothing is read; locations are then checked with
 * `--profile default`, which the SDKs would have selected.
 */
import { describe, expect, it } from "vitest";
import { sharedFilePaths } from "../../src/config/file-locations.js";
import { planFromOptions } from "../../src/commands/resolve-chain.js";
import type { ResolveOptions } from "../../src/commands/resolve-options.js";
import type { Context } from "../../src/context.js";
import { loadConformance, tally } from "./conformance-data.js";
import { fakeReadFs } from "../helpers/fake-fs.js";

interface LocationCase {
  readonly name: string;
  readonly environment: Record<string, string>;
  readonly platform: "linux" | "windows";
  readonly profile?: string;
  readonly configLocation: string;
  readonly credentialsLocation: string;
}

const FILE = "file-location-tests.json";
const data = loadConformance<{ tests: LocationCase[] }>(FILE);
const cases = data?.tests ?? [];
const implicitDefault = cases.filter((c) => c.profile === "default" && c.environment.AWS_PROFILE === undefined).length;
const withProfile = cases.filter((c) => c.profile !== undefined).length;
const count = tally(
  FILE,
  cases.length,
  ` (file locations: all as specified; selected profile: as specified in ${withProfile - implicitDefault} of ${withProfile}, ` +
    `${implicitDefault} deliberately differ: no implicit \`default\`, checked with --profile default)`,
);

/** Each profile takes its credentials from a different named source, so the plan shows which one was read. */
const CONFIG = "[default]\ncredential_source = Environment\n[profile other]\ncredential_source = EcsContainer\n";

async function plan(c: LocationCase, profile?: string) {
  const read: string[] = [];
  const readFile = async (path: string) => {
    read.push(path);
    if (path === c.configLocation) return CONFIG;
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  };
  const ctx = { env: c.environment, platform: c.platform === "windows" ? "win32" : "linux", fs: fakeReadFs(readFile) } as unknown as Context;
  const opts = { source: "auto", cache: true, format: "sh", profile } as ResolveOptions;
  return { plan: await planFromOptions(ctx, [], opts), read: read.sort() };
}

describe.skipIf(data === undefined)(FILE, () => {
  it.each(cases.map((c, i) => [`${i + 1}. ${c.name}`, c] as const))("%s", async (_title, c) => {
    const platform = c.platform === "windows" ? "win32" : "linux";
    expect(sharedFilePaths(c.environment, platform)).toEqual({ config: c.configLocation, credentials: c.credentialsLocation });
    const expectedRead = [c.configLocation, c.credentialsLocation].sort();
    const sourceOf = { default: "env", other: "container" } as Record<string, string>;
    if (c.environment.AWS_PROFILE !== undefined || c.profile === undefined) {
      const r = await plan(c);
      if (c.profile !== undefined) {
        expect(r.read).toEqual(expectedRead);
        expect(r.plan.source).toEqual({ kind: sourceOf[c.profile], profile: c.profile });
      }
    } else {
      // divergence: no implicit `default`; with --profile default the same files and profile are used
      const implicit = await plan(c);
      expect([implicit.read, implicit.plan.source]).toEqual([[], { kind: "auto" }]);
      const explicit = await plan(c, c.profile);
      expect(explicit.read).toEqual(expectedRead);
      expect(explicit.plan.source).toEqual({ kind: sourceOf[c.profile], profile: c.profile });
    }
    count.pass();
  });
});
