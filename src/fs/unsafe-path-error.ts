import { ConfigError } from "../errors.js";

/**
 * A path the tool will not write through or trust: a symbolic link where a credential file or the cache
 * directory should be, a directory someone else owns or can write to, something that is not a file.
 */
export class UnsafePathError extends ConfigError {
  override name = "UnsafePathError";
  readonly path: string;
  constructor(path: string, problem: string, hint: string) {
    super(`${path} ${problem}`, { hint });
    this.path = path;
  }
}

/** `EACCES`, `ENOENT`...: the code of a Node file-system error, for messages. */
export function errnoOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}

/** True when `err` is a Node file-system error with that code. */
export function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}
