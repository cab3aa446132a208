import type { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";

/**
 * Edits (insert, delete, substitute, swap two neighbours) at most this many make a ROLE a command's near
 * miss; one only for a ROLE shorter than SHORT, where two edits reach common role names (`rds` is two
 * from `imds`, `sre` two from `serve`) more often than typos.
 */
const NEAR = 2;
const SHORT = 5;

/**
 * Refuse a first ROLE that is a near miss of a command name (`doctr`, `whomai`, `exce`): commander took it
 * for a role, and assuming a role the user did not mean costs a network round trip and a confusing
 * AccessDenied. `names` are the program's visible commands (COMMAND_NAMES in program.ts, which a test holds
 * to the tree commander builds), so commands added later count too.
 * A role with such a name is still reachable by its ARN. Command names are lower case and role names are
 * case-sensitive: a word with a capital (`Service`, `Docker`, `Consul`) is a role name, never a typo.
 */
export function refuseNearCommand(names: readonly string[], role: string | undefined): void {
  if (role === undefined || role.startsWith("arn:") || role !== role.toLowerCase()) return;
  const near = names
    .map((name) => ({ name, distance: editDistance(role, name) }))
    .filter((n) => n.distance <= (role.length < SHORT ? 1 : NEAR))
    .sort((a, b) => a.distance - b.distance)[0];
  if (near !== undefined) {
    throw new UsageError(`ROLE '${role}': did you mean ${near.name}? (a role of that name: give its ARN)`, {
      hint: `assume-role ${near.name} ..., or assume-role arn:aws:iam::ACCOUNT:role/${role}`,
    });
  }
}

/** The names commander lists under Commands in `program`'s help. */
export function visibleCommandNames(program: Command<any, any, any>): string[] {
  return program.createHelp().visibleCommands(program as never).map((c) => c.name());
}

/** Optimal string alignment distance (Damerau-Levenshtein where no substring is edited twice). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
