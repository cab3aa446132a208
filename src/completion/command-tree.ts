import type { Command } from "@commander-js/extra-typings";

/** What completion needs to know about one option, read from commander. */
export interface OptionSpec {
  /** `--profile`, `-p`: every spelling. */
  readonly names: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  /** `name` of `<name>`: `file` and `path` values complete as file names. */
  readonly valueName?: string | undefined;
  readonly choices?: readonly string[] | undefined;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly variadic: boolean;
  readonly choices?: readonly string[] | undefined;
}

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly arguments: readonly ArgumentSpec[];
  readonly commands: readonly CommandSpec[];
}

/**
 * The commands, options and choices `--help` shows, read from the commander tree as it is built at run
 * time, so a command or option added to the program completes without touching completion.
 */
export function commandTree(cmd: Command<any, any, any>): CommandSpec {
  const help = cmd.createHelp();
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: help.visibleOptions(cmd as never).map((o) => ({
      names: [o.long, o.short].filter((n): n is string => n !== undefined),
      description: o.description,
      takesValue: o.required || o.optional,
      valueName: /<([\w-]+)(?:\.\.\.)?>|\[([\w-]+)(?:\.\.\.)?\]/.exec(o.flags)?.slice(1).find((n) => n !== undefined),
      choices: o.argChoices,
    })),
    arguments: cmd.registeredArguments.map((a) => ({ name: a.name(), variadic: a.variadic, choices: a.argChoices })),
    commands: help.visibleCommands(cmd as never).map((sub) => commandTree(sub as Command<any, any, any>)),
  };
}
