/**
 * The `--format` names, kept apart from the formatters so that parsing argv loads none of them.
 * registry.ts maps every name here to its formatter (the compiler checks that none is missing).
 */
export const FORMAT_NAMES = Object.freeze([
  "sh",
  "bash",
  "zsh",
  "fish",
  "nu",
  "powershell",
  "pwsh",
  "cmd",
  "json",
  "process",
  "dotenv",
  "github",
  "gitlab",
] as const);

export type FormatName = (typeof FORMAT_NAMES)[number];

/** Formats whose output can also clear variables (`assume-role unset`). */
export const SHELL_FORMAT_NAMES: readonly FormatName[] = Object.freeze<FormatName[]>(["sh", "bash", "zsh", "fish", "nu", "powershell", "pwsh", "cmd"]);

/** What serve and sandbox print their variables as: the shell formats and dotenv. */
export const SERVE_FORMAT_NAMES = Object.freeze([...SHELL_FORMAT_NAMES, "dotenv"] as const);
