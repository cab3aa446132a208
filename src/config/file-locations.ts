/**
 * Where the shared files are (cross-SDK spec, conformance/file-location-tests.json): AWS_CONFIG_FILE
 * or ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials; home is HOME, then USERPROFILE,
 * then HOMEDRIVE + HOMEPATH. A leading `~` in the variables is expanded (as the JS SDK and botocore do).
 */
import { posix, win32 } from "node:path";
import { ConfigError } from "../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface SharedFilePaths {
  readonly config: string;
  readonly credentials: string;
}

/** Pure: the two file paths for this environment and platform (`win32` uses `\`). */
export function sharedFilePaths(env: Env, platform: NodeJS.Platform): SharedFilePaths {
  const path = platform === "win32" ? win32 : posix;
  const home = () => homeDir(env);
  const pick = (variable: string, file: string) => {
    const value = env[variable];
    if (value) return expandHome(value, home, platform);
    return path.join(home(), ".aws", file);
  };
  return { config: pick("AWS_CONFIG_FILE", "config"), credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials") };
}

function homeDir(env: Env): string {
  if (env.HOME) return env.HOME;
  if (env.USERPROFILE) return env.USERPROFILE;
  if (env.HOMEPATH) return `${env.HOMEDRIVE ?? ""}${env.HOMEPATH}`;
  throw new ConfigError("cannot find the home directory for ~/.aws/config: HOME is not set", {
    hint: "set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE",
  });
}

/** `~` or `~/x` (also `~\x` on Windows) → the home directory; `~user` is left alone. */
function expandHome(value: string, home: () => string, platform: NodeJS.Platform): string {
  if (value === "~") return home();
  const separators = platform === "win32" ? ["~/", "~\\"] : ["~/"];
  if (separators.some((s) => value.startsWith(s))) {
    return (platform === "win32" ? win32 : posix).join(home(), value.slice(2));
  }
  return value;
}
