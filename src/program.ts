import { Command, Option } from "@commander-js/extra-typings";
import { captureTail } from "./commands/exec-tail.js";
import { recordExitStatus } from "./commands/exit-status.js";
import { withResolveOptions } from "./commands/resolve-options.js";
import type { Context } from "./context.js";
import { UsageError } from "./errors.js";
import { FORMAT_NAMES, SHELL_FORMAT_NAMES } from "./outputs/formatters/format-names.js";
import { IMDS_FAULT_KINDS, STS_FAULT_KINDS } from "./sandbox/fault-kinds.js";
import { escapeCommanderError } from "./ui/escape-controls.js";

export const VERSION = "0.1.0";

/** What each command can print: whoami an identity, serve and sandbox variables for a shell. */
const WHOAMI_FORMATS = ["text", "json"] as const;
const SERVE_FORMATS = [...SHELL_FORMAT_NAMES, "dotenv"] as const;

/**
 * The commander tree. Parse errors and help go through ctx streams; nothing here exits the process.
 * Given `argv`, a subcommand is built only when the run can reach it: one of the words names it, or help is
 * asked for (which lists them all). Building them all (four share the ~20 chain options) is 4% of a cache hit.
 */
export function createProgram(ctx: Context, argv?: readonly string[]): Command<[string[]], any, {}> {
  const builds = (name: string) => argv === undefined || argv.some((word) => word === name || HELP_WORDS.has(word));
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
    .action(async (roles, opts) => (await import("./commands/assume-command.js")).assumeCommand(ctx, roles, opts));

  if (builds("whoami")) program.addCommand(
    withResolveOptions(
      new Command("whoami")
        .description("resolve the chain and print who the result is (GetCallerIdentity; --format json for details)")
        .argument("[roles...]", "role ARNs or names, as for the default command"),
    )
      .addOption(new Option("-f, --format <format>", "text: the ARN; json: account, ARN, user ID and expiry").choices(WHOAMI_FORMATS).default("text"))
      .action(async (roles, opts) => (await import("./commands/whoami-command.js")).whoamiCommand(ctx, roles, opts)),
  );

  if (builds("exec")) {
    const exec = withResolveOptions(
      new Command("exec")
        .description("run CMD with the credentials in its environment (--refresh: from a local endpoint that renews them)")
        .usage("[options] [ROLE...] -- CMD [ARGS...]")
        .argument("[roles...]", "role ARNs or names, as for the default command, then -- and the command"),
      "endpoint",
    );
    // exec prints no credentials: -f is refused with a reason instead of "unknown option" (hidden from --help).
    exec.addOption(new Option("-f, --format <format>").hideHelp());
    const execTail = captureTail(exec);
    program.addCommand(
      exec.action(async (words, opts) => {
        const { execCommand } = await import("./commands/exec-command.js");
        recordExitStatus(program, await execCommand(ctx, words, execTail(), opts));
      }),
    );
  }

  if (builds("serve")) program.addCommand(
    withResolveOptions(
      new Command("serve")
        .description("serve the credentials on a local endpoint (container format) that renews them; print the variables for SDKs")
        .argument("[roles...]", "role ARNs or names, as for the default command"),
    )
      .addOption(new Option("-f, --format <format>", "how to print the variables").choices(SERVE_FORMATS).default("sh"))
      .action(async (roles, opts) => {
      const { serveCommand } = await import("./commands/serve-command.js");
      await serveCommand(ctx, roles, opts);
    }),
  );

  if (builds("unset")) program
    .command("unset")
    .description("print the lines that clear what assume-role exports")
    .addOption(new Option("-f, --format <format>", "shell format").choices(SHELL_FORMAT_NAMES).default("sh"))
    .allowExcessArguments()
    .action(async (opts, cmd) => {
      // Commander's own message would not say which word was too many.
      if (cmd.args.length > 0) throw new UsageError(`unset: unexpected argument '${cmd.args[0]}': unset takes no ROLE, it clears what any run exported`);
      return (await import("./commands/unset-command.js")).unsetCommand(ctx, opts);
    });

  if (builds("sandbox")) program
    .command("sandbox")
    .description("run a local IMDS + STS emulator and print the variables that point AWS tools at it")
    .option("--world <file>", "world file (JSON) declaring accounts, roles and the instance")
    .option("--imds-port <port>", "IMDS port (default: random)")
    .option("--sts-port <port>", "STS port (default: random)")
    .addOption(new Option("-f, --format <format>", "how to print the variables").choices(SERVE_FORMATS).default("sh"))
    // Fault knobs (see src/sandbox/faults.ts); values are checked by the command.
    .option("--latency <time>", "delay every IMDS and STS answer: 20ms, 1.5s")
    .option("--sts-throttle-first <n>", "answer the first N STS requests with Throttling (HTTP 400)")
    .option("--sts-5xx-first <n>", "then N more with ServiceUnavailable (HTTP 503)")
    .option("--sts-fault <kind>", `answer every later STS request with a fault: ${faultKinds(STS_FAULT_KINDS)}`)
    .option("--sts-session-seconds <n>", "sessions STS issues expire after at most N seconds")
    .option("--imds-v1-only", "IMDS without v2: the token PUT answers 405")
    .option("--imds-v2-required", "IMDS requires v2: GETs without a token answer 401")
    .option("--imds-token-unanswered", "the IMDS token PUT never answers (a container behind hop limit 1)")
    .option("--imds-down", "IMDS drops every connection")
    .option("--imds-401-after <n>", "after the first N IMDS GETs, every GET answers 401, even with a fresh token")
    .option("--imds-fault <kind>", `IMDS answers with a fault: ${faultKinds(IMDS_FAULT_KINDS)}`)
    .action(async (opts) => {
      const { sandboxCommand } = await import("./commands/sandbox-command.js");
      await sandboxCommand(ctx, opts);
    });

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
      // Asked of ctx, not of process.stdout as commander would: building that stream is a tenth of `--help`.
      getOutHelpWidth: () => ctx.stdoutTerminal?.()?.columns ?? 80,
      getOutHasColors: () => ctx.stdoutTerminal?.()?.hasColors ?? false,
      outputError: (s, write) => write(escapeCommanderError(s.replace(/^error: /, "assume-role: "))),
    });
  }
  return program;
}

/** Words that make commander print help, which lists every subcommand. */
const HELP_WORDS = new Set(["-h", "--help", "help"]);

const faultKinds = (kinds: readonly string[]) => kinds.filter((k) => k !== "none").join(", ");
