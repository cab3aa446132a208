import { NoCredentialsError } from "../errors.js";
import type { SourceKind, SourceResult } from "../types.js";
import { envSource } from "./env-source.js";
import { SourceSkipped } from "./source-skipped.js";

export interface SourceDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Lazily reads IMDS; only called when the IMDS source is tried. */
  readonly imds: () => Promise<SourceResult>;
  readonly debug: (line: string) => void;
}

/** The documented order of `auto`: environment credentials this tool did not export, then IMDS. */
export const AUTO_ORDER = ["env", "imds"] as const;

export async function resolveSource(kind: SourceKind, deps: SourceDeps): Promise<SourceResult> {
  const attempt = (k: (typeof AUTO_ORDER)[number]) =>
    k === "env" ? Promise.resolve().then(() => envSource(deps.env, { skipOwnExports: kind === "auto" })) : deps.imds();
  if (kind !== "auto") {
    try {
      return await attempt(kind);
    } catch (err) {
      if (err instanceof SourceSkipped) throw new NoCredentialsError(`--source ${kind}: ${err.reason}`);
      throw err;
    }
  }
  const skipped: string[] = [];
  for (const k of AUTO_ORDER) {
    try {
      const result = await attempt(k);
      deps.debug(`source: ${k}`);
      return result;
    } catch (err) {
      if (!(err instanceof SourceSkipped)) throw err;
      deps.debug(`source: skipping ${k}: ${err.reason}`);
      skipped.push(err.reason);
    }
  }
  throw new NoCredentialsError(`no source credentials: ${skipped.join("; ")}`, {
    hint: "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run on EC2 with an instance profile",
  });
}
