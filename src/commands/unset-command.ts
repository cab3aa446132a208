import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { buildUnsetSet } from "../outputs/export-set.js";
import { getFormatter, SHELL_FORMAT_NAMES } from "../outputs/formatters/registry.js";

/** Print the lines that clear everything a run exports (and the profile variables it unsets). */
export function unsetCommand(ctx: Context, opts: { format: string }): void {
  const formatter = (SHELL_FORMAT_NAMES as readonly string[]).includes(opts.format) ? getFormatter(opts.format) : undefined;
  if (!formatter) {
    throw new UsageError(`unset --format '${opts.format}': only shell formats can clear variables (${SHELL_FORMAT_NAMES.join(", ")})`);
  }
  ctx.stdout.write(formatter({ exports: buildUnsetSet(), credentials: { accessKeyId: "", secretAccessKey: "" } }));
}
