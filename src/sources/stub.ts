import { ConfigError } from "../errors.js";

/** Placeholder for a source that lands in a later change. */
export function notYet(what: string): never {
  throw new ConfigError(`${what} is not supported yet`);
}
