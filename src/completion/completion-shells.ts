/** The shells `assume-role completion SHELL` writes a script for (kept apart from the scripts: --help needs only the names). */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The hidden command the scripts call back at every Tab. */
export const COMPLETE_COMMAND = "__complete";
