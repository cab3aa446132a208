import type { CommandSpec, OptionSpec } from "./command-tree.js";

export interface Candidate {
  readonly value: string;
  readonly description?: string | undefined;
}

/** `words`: candidates for the word under the cursor; `files`: let the shell complete a file name. */
export type Completion = { readonly kind: "words"; readonly candidates: readonly Candidate[] } | { readonly kind: "files" };

/** Names read from the shared config files at completion time. */
export interface ProfileWords {
  readonly profiles: readonly string[];
  /** Role names (with their paths) of the profiles' `role_arn` keys: what a bare ROLE may be. */
  readonly roles: readonly string[];
}

const NOTHING: Completion = { kind: "words", candidates: [] };
const FILE_VALUES = new Set(["file", "path"]);

/**
 * Pure: what may stand where the cursor is. `words` are the words after the program name, the last one
 * the (possibly empty) word being completed. Follows commander's reading of argv: the first operand of
 * the program may be a command; options that take a value consume the next word; after `--` nothing is
 * ours (exec's CMD: the shell completes file names).
 */
export function completeWords(tree: CommandSpec, words: readonly string[], names: ProfileWords): Completion {
  const current = words.at(-1) ?? "";
  let cmd = tree;
  let operands = 0;
  let pending: OptionSpec | undefined;
  for (const word of words.slice(0, -1)) {
    if (pending !== undefined) {
      pending = undefined;
      continue;
    }
    if (word === "--") return { kind: "files" };
    if (word.startsWith("-") && word !== "-") {
      const option = word.includes("=") ? undefined : findOption(cmd, word);
      if (option?.takesValue) pending = option;
      continue;
    }
    const sub = cmd === tree && operands === 0 ? tree.commands.find((c) => c.name === word) : undefined;
    if (sub !== undefined) cmd = sub;
    else operands++;
  }

  if (pending !== undefined) return valuesOf(pending, current, "", names);
  const eq = current.indexOf("=");
  if (current.startsWith("--") && eq > 0) {
    const option = findOption(cmd, current.slice(0, eq));
    return option?.takesValue ? valuesOf(option, current.slice(eq + 1), current.slice(0, eq + 1), names) : NOTHING;
  }
  if (current.startsWith("-")) {
    // Long names only (a short one when there is no long): `-` lists each option once.
    return matching(cmd.options.map((o) => ({ value: o.names[0]!, description: o.description })), current);
  }
  const candidates: Candidate[] = [];
  if (cmd === tree && operands === 0) candidates.push(...tree.commands.map((c) => ({ value: c.name, description: c.description })));
  const argument = cmd.arguments[Math.min(operands, cmd.arguments.length - 1)];
  if (argument !== undefined && (operands < cmd.arguments.length || argument.variadic)) {
    if (argument.choices) candidates.push(...argument.choices.map((value) => ({ value })));
    else if (argument.name === "roles") candidates.push(...names.roles.map((value) => ({ value, description: "role (from role_arn in the config file)" })));
  }
  return matching(candidates, current);
}

function findOption(cmd: CommandSpec, word: string): OptionSpec | undefined {
  return cmd.options.find((o) => o.names.includes(word));
}

function valuesOf(option: OptionSpec, current: string, prefix: string, names: ProfileWords): Completion {
  if (option.choices) return matching(option.choices.map((c) => ({ value: prefix + c })), prefix + current);
  if (option.names.includes("--profile")) return matching(names.profiles.map((p) => ({ value: prefix + p, description: "profile" })), prefix + current);
  if (option.valueName !== undefined && FILE_VALUES.has(option.valueName)) return prefix === "" ? { kind: "files" } : NOTHING;
  return NOTHING;
}

/** The candidates that start with what is typed, each once, in order. */
function matching(candidates: readonly Candidate[], current: string): Completion {
  const seen = new Set<string>();
  const kept = candidates.filter((c) => c.value.startsWith(current) && !seen.has(c.value) && seen.add(c.value));
  return { kind: "words", candidates: kept };
}
