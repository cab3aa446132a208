/**
 * Loop guard for credential_process: a profile whose credential_process runs assume-role for a profile
 * that leads back to it would start processes forever. The parent puts the profiles it is resolving in
 * ASSUME_ROLE_PROFILE_CHAIN (comma-separated) in the child's environment; a child that reaches one of
 * them refuses. (The AWS CLI guards `export-credentials` the same way with _AWS_CLI_PROFILE_CHAIN.)
 */
import { ConfigError } from "../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

export const PROFILE_CHAIN_VAR = "ASSUME_ROLE_PROFILE_CHAIN";

/** The profiles parent assume-role processes are resolving, outermost first. */
export function profilesInProgress(env: Env): string[] {
  return (env[PROFILE_CHAIN_VAR] ?? "").split(",").filter((p) => p !== "");
}

/** The variable's value for a child run on behalf of `profile`. */
export function chainWith(env: Env, profile: string): string {
  return [...profilesInProgress(env), profile].join(",");
}

/** Throws when this resolution reads a profile that a parent is already resolving. */
export function checkProfileChain(env: Env, visited: readonly string[]): void {
  const inProgress = profilesInProgress(env);
  const repeated = visited.find((p) => inProgress.includes(p));
  if (repeated === undefined) return;
  const cycle = [...inProgress, ...visited.slice(0, visited.indexOf(repeated) + 1)].join(" -> ");
  throw new ConfigError(`profile ${repeated}: profile cycle ${cycle}: a credential_process leads back to a profile that is being resolved`, {
    hint: `the credential_process of profile ${inProgress.at(-1)} must not run assume-role for a profile that reaches ${repeated} (${PROFILE_CHAIN_VAR}=${inProgress.join(",")})`,
  });
}
