import type { Command } from "@commander-js/extra-typings";
import type { Context } from "../context.js";
import { commandTree } from "../completion/command-tree.js";
import { completeWords, type Completion } from "../completion/complete-words.js";
import { completionScript } from "../completion/completion-script.js";
import type { CompletionShell } from "../completion/completion-shells.js";
import { readProfileWords } from "../completion/read-profile-words.js";

/** `assume-role completion SHELL`: the script, for eval/source or a completions directory. */
export function completionCommand(ctx: Context, shell: CompletionShell): void {
  ctx.stdout.write(completionScript(shell));
}

/**
 * `assume-role __complete -- WORD... CURRENT` (hidden; the scripts call it at every Tab): the candidates
 * for CURRENT. A completion must never print an error into the user's command line: any failure is an
 * empty answer.
 */
export async function completeCommand(ctx: Context, program: Command<any, any, any>, words: readonly string[]): Promise<void> {
  try {
    const names = await readProfileWords(ctx);
    ctx.stdout.write(formatCompletion(completeWords(commandTree(program), words.length > 0 ? words : [""], names)));
  } catch {
    // nothing: see above
  }
}

/** `files`, or `words` and then `VALUE<TAB>DESCRIPTION` lines (tabs and line breaks in a description become spaces). */
export function formatCompletion(completion: Completion): string {
  if (completion.kind === "files") return "files\n";
  const lines = completion.candidates.map((c) => (c.description ? `${c.value}\t${c.description.replace(/\s+/g, " ")}` : c.value));
  return ["words", ...lines].map((l) => `${l}\n`).join("");
}
