/**
 * What the root's help lists of each visible subcommand, as data. `assume-role --help` builds only these heads:
 * the full commands, each with its two dozen options, were a third of its time. The full commands (program.ts,
 * sandbox-program.ts) take their summaries from here, and a unit test holds each head's line in the listing to
 * the full command's.
 */
export interface CommandHead {
  readonly name: string;
  readonly summary: string;
  /** Its arguments as commander's `.arguments()` takes them ("" for none). */
  readonly args: string;
  /** Whether it has options of its own: the listing then says "[options]". */
  readonly options: boolean;
}

const ROLES = "[roles...]";

export const COMMAND_HEADS = [
  {
    name: "whoami",
    summary: "print who the chain's result is (GetCallerIdentity); no ROLE: who the environment's credentials are, and which chain made them",
    args: ROLES,
    options: true,
  },
  {
    name: "imds",
    summary: "report what the instance metadata service serves: instance, instance profile, role, credential age, who STS says they are",
    args: "",
    options: true,
  },
  {
    name: "doctor",
    summary: "walk the chain hop by hop and say which check fails first (source, clock, duration, access) and what to change",
    args: ROLES,
    options: true,
  },
  {
    name: "exec",
    summary: "run CMD, or without one your $SHELL, with the credentials in its environment (--refresh: from a local endpoint that renews them)",
    args: ROLES,
    options: true,
  },
  {
    name: "serve",
    summary: "serve the credentials on a local endpoint (container format, or --imds) that renews them; print the variables for SDKs",
    args: ROLES,
    options: true,
  },
  {
    name: "console",
    summary: "open the AWS console signed in as the chain's role (--url: print the sign-in URL instead)",
    args: ROLES,
    options: true,
  },
  { name: "unset", summary: "print the lines that clear what assume-role exports", args: "", options: true },
  { name: "sandbox", summary: "run a local IMDS + STS emulator and print the variables that point AWS tools at it", args: "", options: true },
  {
    name: "completion",
    summary: "print the completion script for your shell (commands, options, formats, profile and role names)",
    args: "<shell>",
    options: false,
  },
] as const satisfies readonly CommandHead[];

export type CommandName = (typeof COMMAND_HEADS)[number]["name"];

/** The summary of command `name`, for its full build. */
export function summaryOf(name: CommandName): string {
  return COMMAND_HEADS.find((h) => h.name === name)!.summary;
}
