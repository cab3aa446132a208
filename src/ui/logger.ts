import type { ChalkInstance } from "chalk";
import type { Writer } from "../context.js";
import { escapeControls } from "./escape-controls.js";

export type Verbosity = "quiet" | "normal" | "verbose";

export interface Logger {
  /** Diagnostics, shown with -v only. */
  debug(line: string): void;
  /** Something the user must act on; shown unless -q. */
  warn(line: string): void;
}

/**
 * Each line is one line on stderr: control characters in it (from user input, files, servers) are escaped.
 * `colour` (() => ctx.colours.err) paints warnings yellow and diagnostics dim, after the escaping. It is asked
 * only when a line is written: deciding the colour level loads chalk and tty, which a silent cache hit never needs.
 */
export function createLogger(stderr: Writer, verbosity: Verbosity, colour?: () => ChalkInstance): Logger {
  const paint = (style: "yellow" | "dim", text: string) => (colour === undefined ? text : colour()[style](text));
  return {
    debug: (line) => {
      if (verbosity === "verbose") stderr.write(`${paint("dim", `assume-role: ${escapeControls(line)}`)}\n`);
    },
    warn: (line) => {
      if (verbosity !== "quiet") stderr.write(`${paint("yellow", `assume-role: ${escapeControls(line)}`)}\n`);
    },
  };
}

export function verbosityOf(opts: { verbose?: boolean | undefined; quiet?: boolean | undefined }): Verbosity {
  if (opts.verbose) return "verbose";
  return opts.quiet ? "quiet" : "normal";
}
