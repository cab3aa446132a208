import { CommanderError } from "@commander-js/extra-typings";
import type { Context } from "./context.js";
import { exitStatusOf } from "./commands/exit-status.js";
import { CliError, EXIT } from "./errors.js";
import { createProgram } from "./program.js";
import { escapeControls } from "./ui/escape-controls.js";

/** The one error boundary: run argv, turn every failure into one stderr message and an exit code. */
export async function runCli(ctx: Context, argv: readonly string[], onVerbose: (verbose: boolean) => void = () => {}): Promise<number> {
  // -v as commander parsed it for the command that runs (not a `-v` after `--`, which belongs to exec's CMD).
  let verbose = false;
  try {
    const program = createProgram(ctx, argv);
    program.hook("preAction", (_root, action) => {
      verbose = Boolean(action.opts().verbose);
      onVerbose(verbose);
    });
    await program.parseAsync([...argv], { from: "user" });
    return exitStatusOf(program) ?? EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      const helpOrVersion = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(err.code);
      return helpOrVersion ? EXIT.ok : EXIT.usage;
    }
    reportError(ctx, err, verbose);
    return err instanceof CliError ? err.exitCode : EXIT.internal;
  }
}

/**
 * One line for the message, then the hint's lines: whatever user input they quote, each stays one line
 * and cannot drive the terminal (escapeControls); only the line breaks between a hint's lines are kept.
 * Colour (red message, yellow hint, dim trail) is added after escaping, and only when stderr takes it.
 */
function reportError(ctx: Context, err: unknown, verbose: boolean): void {
  const c = ctx.colours.err;
  const message = err instanceof Error ? err.message : String(err);
  const lines = [`${c.bold.red("assume-role:")} ${c.red(escapeControls(message))}`];
  if (err instanceof CliError && err.hint) {
    lines.push(...err.hint.split("\n").map((l, i) => (i === 0 ? `  ${c.bold.yellow("hint:")} ${c.yellow(escapeControls(l))}` : `  ${c.yellow(escapeControls(l))}`)));
  }
  if (!(err instanceof CliError)) lines.push(`  ${c.yellow("this is a bug in assume-role; run again with -v and report the output")}`);
  if (verbose) {
    for (let cause = (err as { cause?: unknown }).cause; cause; cause = (cause as { cause?: unknown }).cause) {
      lines.push(`  ${c.dim(`caused by: ${escapeControls(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause))}`)}`);
    }
    if (!(err instanceof CliError) && err instanceof Error && err.stack) lines.push(...err.stack.split("\n").map((l) => c.dim(escapeControls(l))));
  }
  ctx.stderr.write(lines.join("\n") + "\n");
}
