/**
 * Open a URL in the user's browser: $BROWSER when set (as Python's webbrowser and xdg-open read it: a
 * `:`-separated list of commands, `%s` standing for the URL, else the URL appended), else the platform's
 * opener (xdg-open, open, rundll32). The URL is the only argument beyond the command's own words; no shell.
 */
import { constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Context } from "../context.js";
import { ConfigError } from "../errors.js";
import { escapeControls } from "../ui/escape-controls.js";

export interface Opener {
  readonly file: string;
  readonly args: readonly string[];
  /** Where the command came from, for messages: `$BROWSER` or the platform's opener. */
  readonly origin: string;
}

/** Pure: the command that opens `url`. */
export function openerFor(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>, url: string): Opener {
  const browser = (env.BROWSER ?? "").split(":").map((s) => s.trim()).find((s) => s !== "");
  if (browser !== undefined) {
    const words = browser.split(/\s+/);
    const hasPlaceholder = words.some((w) => w.includes("%s"));
    const args = words.slice(1).map((w) => w.replaceAll("%s", () => url));
    return { file: words[0]!, args: hasPlaceholder ? args : [...args, url], origin: "$BROWSER" };
  }
  if (platform === "darwin") return { file: "open", args: [url], origin: "the macOS opener" };
  if (platform === "win32") return { file: "rundll32", args: ["url.dll,FileProtocolHandler", url], origin: "the Windows opener" };
  return { file: "xdg-open", args: [url], origin: "the desktop opener" };
}

const HINT = "print the URL instead with --url, or set BROWSER to a command that opens a URL";

/** Before any STS call: the opener must exist (a missing xdg-open on a server is known without asking AWS). */
export async function checkOpener(ctx: Context, opener: Opener): Promise<void> {
  if (ctx.platform === "win32") return;
  const candidates = opener.file.includes("/")
    ? [opener.file]
    : (ctx.env.PATH ?? "").split(delimiter).filter((dir) => isAbsolute(dir)).map((dir) => join(dir, opener.file));
  for (const path of candidates) {
    const ok = await ctx.fs.access(path, constants.X_OK).then(() => true, () => false);
    if (ok) return;
  }
  throw new ConfigError(`console: cannot open a browser: ${escapeControls(opener.file)} (${opener.origin}) is not an executable${opener.file.includes("/") ? "" : " on PATH"}`, { hint: HINT });
}

/** How long an opener may take to say it failed; a browser started as $BROWSER itself may run on. */
const SETTLE_MS = 10_000;

/**
 * Run the opener without a terminal on its stdio (nothing it prints can reach stdout, which a caller may
 * eval). Fails when it cannot start or exits non-zero within SETTLE_MS; still running then is success.
 */
export function openBrowser(ctx: Context, opener: Opener): Promise<void> {
  const shown = escapeControls(opener.file);
  return new Promise((resolve, reject) => {
    let child: ReturnType<Context["spawn"]>;
    try {
      child = ctx.spawn(opener.file, [...opener.args], { stdio: "ignore", detached: ctx.platform !== "win32", env: { ...ctx.env } as NodeJS.ProcessEnv });
    } catch (err) {
      reject(new ConfigError(`console: cannot open a browser with ${shown}: ${(err as NodeJS.ErrnoException).code ?? "spawn failed"}`, { cause: err, hint: HINT }));
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, SETTLE_MS);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ConfigError(`console: cannot open a browser with ${shown}: ${err.code ?? "spawn failed"}`, { cause: err, hint: HINT }));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const how = code === null ? `was killed by ${signal}` : `exited ${code}`;
      reject(new ConfigError(`console: ${shown} (${opener.origin}) ${how} without opening the console`, { hint: HINT }));
    });
  });
}
