import type { Formatter } from "../formatter.js";
import { formatCmd } from "./cmd.js";
import { formatDotenv } from "./dotenv.js";
import { formatFish } from "./fish.js";
import { formatGithub } from "./github.js";
import { formatGitlab } from "./gitlab.js";
import { formatJson } from "./json.js";
import { formatNu } from "./nu.js";
import { formatPowerShell } from "./powershell.js";
import { formatProcess } from "./process.js";
import { FORMAT_NAMES, SHELL_FORMAT_NAMES, type FormatName } from "./format-names.js";
import { formatSh } from "./sh.js";

export { FORMAT_NAMES, SHELL_FORMAT_NAMES, type FormatName };

/** Every `--format` value, aliases included (`bash`/`zsh` = `sh`, `pwsh` = `powershell`). */
export const FORMATS = Object.freeze({
  sh: formatSh,
  bash: formatSh,
  zsh: formatSh,
  fish: formatFish,
  /** nushell: `hide-env` + `load-env {…}`, for `source` (it has no eval). */
  nu: formatNu,
  powershell: formatPowerShell,
  pwsh: formatPowerShell,
  cmd: formatCmd,
  json: formatJson,
  process: formatProcess,
  dotenv: formatDotenv,
  /** `::add-mask::` lines on stdout; the assignments go to $GITHUB_ENV (outputs/github-env-file.ts). */
  github: formatGithub,
  /** A GitLab CI dotenv report body. */
  gitlab: formatGitlab,
} satisfies Record<FormatName, Formatter>);

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(FORMATS, name);
}

/** The formatter for a `--format` value; undefined for unknown names (including `toString`, `__proto__`). */
export function getFormatter(name: string): Formatter | undefined {
  return isFormatName(name) ? FORMATS[name] : undefined;
}
