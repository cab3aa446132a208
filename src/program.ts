import { Argument, Command, Option, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { COMMAND_HEADS, summaryOf, type CommandHead, type CommandName } from "./commands/command-listing.js";
import { captureTail } from "./commands/exec-tail.js";
import { recordExitStatus } from "./commands/exit-status.js";
import { refuseNearCommand } from "./commands/near-command.js";
import { withResolveOptions } from "./commands/resolve-options.js";
import { sandboxProgram } from "./commands/sandbox-program.js";
import { COMPLETE_COMMAND, COMPLETION_SHELLS } from "./completion/completion-shells.js";
import type { Context } from "./context.js";
import { UsageError } from "./errors.js";
import { FORMAT_NAMES, SERVE_FORMAT_NAMES, SHELL_FORMAT_NAMES } from "./outputs/formatters/format-names.js";
import { escapeCommanderError } from "./ui/escape-controls.js";

export const VERSION = "0.1.0";

/**
 * The visible subcommands, for the near-miss check of a bare ROLE without building them all (a cache hit with a
 * bare role name would pay for it every run). A unit test holds this list to the tree createProgram builds.
 */
export const COMMAND_NAMES: readonly CommandName[] = COMMAND_HEADS.map((h) => h.name);

/** What whoami and imds can print (serve and sandbox: SERVE_FORMAT_NAMES). */
const WHOAMI_FORMATS = ["text", "json"] as const;

/**
 * The commander tree. Parse errors and help go through ctx streams; nothing here ends the run.
 * Given `argv`, a subcommand is built only when one of the words names it (building them all is 4% of a cache
 * hit); when help is asked for, the others are listed from their heads (command-listing.ts). Without `argv`, all
 * are built: completion reads every command's options from that full tree.
 */
export function createProgram(ctx: Context, argv?: readonly string[]): Command<[string[]], any, {}> {
  const builds = (name: string) => argv === undefined || argv.includes(name);
  const helpAsked = argv !== undefined && argv.some(asksHelp);
  const program = withResolveOptions(
    new Command("assume-role")
      .description("Assume a chain of AWS roles from IMDS or environment credentials and print the result for your shell.")
      .argument("[roles...]", "role ARNs or bare role names, assumed left to right")
      .version(VERSION, "-V, --version"),
  )
    .addHelpText(
      "after",
      `
Examples:
  eval "$(assume-role arn:aws:iam::111111111111:role/Deploy arn:aws:iam::222222222222:role/Prod)"
  assume-role Deploy --format json
  eval "$(assume-role unset)"

Exit codes: 0 ok, 1 internal, 2 usage, 3 no source credentials, 4 access denied,
5 MFA required without a terminal, 6 network, 7 throttled, 8 invalid configuration.`,
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMAT_NAMES).default("sh"))
    .addOption(
      new Option("-w, --write-profile <name>", "write the credentials to this profile of the shared credentials file instead of stdout").conflicts(
        "format",
      ),
    )
    .option("--credentials-file <path>", "credentials file for --write-profile (else AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials)")
    .option("--force", "let --write-profile replace a profile that holds long-term keys")
    .option("--output-credentials", "-f github: also write the credentials as step outputs (aws-access-key-id, ...; masked) to $GITHUB_OUTPUT")
    .option("--mask-account-id", "-f github: mask the account ID (step output aws-account-id) in the job's logs")
    .action(async (roles, opts) => {
      refuseNearCommand(COMMAND_NAMES, roles[0]);
      return (await import("./commands/assume-command.js")).assumeCommand(ctx, roles, opts);
    });

  /** Each visible subcommand, built in full: its options and its action. */
  const full: Record<CommandName, () => CommandUnknownOpts> = {
    whoami: () =>
      chainCommand("whoami")
        .addOption(new Option("-f, --format <format>", "text (default): the ARN; json: account, ARN, user ID and expiry").choices(WHOAMI_FORMATS))
        .option("--json", "the same as -f json (for scripts)")
        .option("--chain", "show the source and every hop: role, session, assumed-role ARN, account, region, expiry, cached")
        .action(async (roles, opts) => (await import("./commands/whoami-command.js")).whoamiCommand(ctx, roles, opts)),

    imds: () =>
      new Command("imds")
        .description(summaryOf("imds"))
        .addOption(new Option("-f, --format <format>", "text for people; json for scripts").choices(WHOAMI_FORMATS).default("text"))
        .addOption(new Option("--json", "the same as --format json").conflicts("format"))
        .option("--stale-after <time>", "warn when the served credentials were last updated longer ago than this: 30m, 2h (default 1h)")
        .option("-v, --verbose", "each IMDS request on stderr (never secrets)")
        .addHelpText(
          "after",
          `
  Warns when STS says the served credentials are not the listed role's (a role swap IMDS has not caught up
  with), when the instance profile's name is not its role's, when the credentials were last updated more than
  --stale-after ago (1h by default), and when the IMDSv2 token request gets no answer (container hop limit).
  Exit 3 when IMDS does not answer or serves no credentials (the report still says what it found);
  exit 6 when the credentials it serves have expired.`,
        )
        .allowExcessArguments()
        .action(async (opts, cmd) => {
          // Commander's own message would not say which word was too many; a ROLE here is a common mistake.
          if (cmd.args.length > 0) throw new UsageError(`imds: unexpected argument '${cmd.args[0]}': imds takes no ROLE, it describes the instance's own`);
          recordExitStatus(program, await (await import("./commands/imds-command.js")).imdsCommand(ctx, opts));
        }),

    doctor: () =>
      chainCommand("doctor")
        .option("--json", "the checks as JSON, for scripts")
        .action(async (roles, opts) => {
          const { doctorCommand } = await import("./commands/doctor-command.js");
          recordExitStatus(program, await doctorCommand(ctx, roles, opts));
        }),

    exec: () => {
      const exec = withResolveOptions(
        new Command("exec")
          .description(summaryOf("exec"))
          .usage("[options] [ROLE...] [-- CMD [ARGS...]]")
          .argument("[roles...]", "role ARNs or names, as for the default command, then -- and the command (none: $SHELL)"),
        "endpoint",
      );
      // exec prints no credentials: -f is refused with a reason instead of "unknown option" (hidden from --help).
      exec.addOption(new Option("-f, --format <format>").hideHelp());
      const execTail = captureTail(exec);
      return exec.action(async (words, opts) => {
        const { execCommand } = await import("./commands/exec-command.js");
        recordExitStatus(program, await execCommand(ctx, words, execTail(), opts));
      });
    },

    serve: () =>
      chainCommand("serve")
        .addOption(new Option("-f, --format <format>", "how to print the variables").choices(SERVE_FORMAT_NAMES).default("sh"))
        .option("--imds", "serve as an EC2 metadata service (IMDSv2) for tools and containers that only know IMDS")
        .option("--port <port>", "with --imds: the port to listen on (default: a random free port)")
        .option("--host <address>", "with --imds: the IP address to listen on (default 127.0.0.1; whoever can reach it gets the credentials)")
        .action(async (roles, opts) => {
          const { serveCommand } = await import("./commands/serve-command.js");
          await serveCommand(ctx, roles, opts);
        }),

    console: () =>
      chainCommand("console")
        .option("--url", "print the sign-in URL as the only line on stdout instead of opening a browser")
        .option("--signin-url <url>", "federation endpoint (default: the role's partition, e.g. https://signin.aws.amazon.com/federation)")
        .option("--destination <url>", "console page to land on: an https URL or a path such as /s3/home (default: the console home of the region)")
        .action(async (roles, opts) => (await import("./commands/console-command.js")).consoleCommand(ctx, roles, opts)),

    unset: () =>
      new Command("unset")
        .description(summaryOf("unset"))
        .addOption(new Option("-f, --format <format>", "shell format").choices(SHELL_FORMAT_NAMES).default("sh"))
        .allowExcessArguments()
        .action(async (opts, cmd) => {
          // Commander's own message would not say which word was too many.
          if (cmd.args.length > 0) throw new UsageError(`unset: unexpected argument '${cmd.args[0]}': unset takes no ROLE, it clears what any run exported`);
          return (await import("./commands/unset-command.js")).unsetCommand(ctx, opts);
        }),

    sandbox: () => sandboxProgram(ctx, summaryOf("sandbox")),

    completion: () =>
      new Command("completion")
        .description(summaryOf("completion"))
        .addArgument(new Argument("<shell>", "bash, zsh, fish or powershell").choices(COMPLETION_SHELLS))
        .action(async (shell) => (await import("./commands/completion-command.js")).completionCommand(ctx, shell)),
  };

  for (const head of COMMAND_HEADS) {
    if (builds(head.name)) program.addCommand(full[head.name]());
    else if (helpAsked) program.addCommand(headCommand(head));
  }
  // What the completion scripts call at every Tab (hidden: not for people).
  if (builds(COMPLETE_COMMAND)) {
    program.addCommand(
      new Command(COMPLETE_COMMAND)
        .argument("[words...]")
        .action(async (words) => (await import("./commands/completion-command.js")).completeCommand(ctx, createProgram(ctx), words)),
      { hidden: true },
    );
  }

  program.enablePositionalOptions();
  // With positional options, `assume-role --source env whoami` would silently drop --source: refuse it instead.
  program.hook("preSubcommand", (root, sub) => {
    const misplaced = root.options.filter((o) => root.getOptionValueSource(o.attributeName()) === "cli");
    if (misplaced.length > 0) {
      const flags = misplaced.map((o) => o.long ?? o.short).join(", ");
      throw new UsageError(`${flags} must come after the command name: assume-role ${sub.name()} ${flags} ...`);
    }
  });
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Asked of ctx, not of Node's stdout stream as commander would: building that stream is a tenth of `--help`.
      getOutHelpWidth: () => ctx.stdoutTerminal?.()?.columns ?? 80,
      getOutHasColors: () => ctx.stdoutTerminal?.()?.hasColors ?? false,
      // Coloured like the error boundary's messages (src/cli.ts), after the escaping.
      outputError: (s, write) => write(ctx.colours.err.red(escapeCommanderError(s.replace(/^error: /, "assume-role: ")).trimEnd()) + "\n"),
    });
  }
  return program;
}

/** A subcommand that resolves a chain like the default command: its summary, ROLE arguments and the shared options. */
function chainCommand(name: CommandName) {
  return withResolveOptions(new Command(name).description(summaryOf(name)).argument("[roles...]", "role ARNs or names, as for the default command"));
}

/** Whether `word` may make commander print help, which lists every subcommand: --help, help, -h, or -h among short flags (-vh). */
function asksHelp(word: string): boolean {
  return word === "--help" || word === "help" || /^-[A-Za-z]*h[A-Za-z]*$/.test(word);
}

/**
 * A subcommand as the root's help lists it: name, summary and arguments, no action, and for a command with options
 * one hidden stand-in, so that commander's listing says "[options]" as for the full command (a unit test holds the
 * two listings equal).
 */
function headCommand(head: CommandHead): CommandUnknownOpts {
  const cmd = new Command(head.name).description(head.summary);
  if (head.args) cmd.arguments(head.args);
  if (head.options) cmd.addOption(new Option("--options").hideHelp());
  return cmd;
}

