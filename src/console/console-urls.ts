/**
 * Pure: the URLs of a console sign-in (AWS IAM "custom identity broker" flow). The federation endpoint
 * exchanges a role session for a sign-in token (Action=getSigninToken) and then signs the browser in
 * with it (Action=login). Hosts are per partition; other partitions have no default and need flags.
 */
import { UsageError } from "../errors.js";
import { isLoopback } from "../net/is-loopback.js";
import { escapeControls } from "../ui/escape-controls.js";

interface PartitionHosts {
  readonly signin: string;
  readonly console: string;
}

const HOSTS: Readonly<Record<string, PartitionHosts>> = {
  aws: { signin: "signin.aws.amazon.com", console: "console.aws.amazon.com" },
  "aws-us-gov": { signin: "signin.amazonaws-us-gov.com", console: "console.amazonaws-us-gov.com" },
  "aws-cn": { signin: "signin.amazonaws.cn", console: "console.amazonaws.cn" },
};

/** The name the console shows as the issuer of the sign-in (where "sign out" returns to, when it is a URL). */
export const ISSUER = "assume-role";

function hostsOf(partition: string, flag: "--signin-url" | "--destination"): PartitionHosts {
  const hosts = HOSTS[partition];
  if (hosts === undefined) {
    throw new UsageError(`console: partition '${escapeControls(partition)}' has no known console sign-in endpoint`, {
      hint: `give ${flag} (known partitions: ${Object.keys(HOSTS).join(", ")})`,
    });
  }
  return hosts;
}

export function defaultSigninUrl(partition: string): URL {
  return new URL(`https://${hostsOf(partition, "--signin-url").signin}/federation`);
}

/** The console home of the region (the partition's home page when the region is not known). */
export function consoleHome(partition: string, region: string | undefined): URL {
  const url = new URL(`https://${hostsOf(partition, "--destination").console}/console/home`);
  if (region !== undefined) url.searchParams.set("region", region);
  return url;
}

function parseUrl(value: string, flag: string, expected: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new UsageError(`${flag} '${escapeControls(value)}': not a URL (expected ${expected})`);
  }
}

/**
 * --signin-url: the federation endpoint gets the session's secret key, so it must be https, or plain http
 * to this machine only (a local emulator). No user:password part, no fragment.
 */
export function parseSigninUrl(value: string): URL {
  const url = parseUrl(value, "--signin-url", "https://HOST/federation");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new UsageError(`--signin-url '${escapeControls(value)}': must be https (plain http only to loopback: 127.0.0.1, [::1], localhost)`, {
      hint: "the federation endpoint receives the session's secret key",
    });
  }
  if (url.username !== "" || url.password !== "" || url.hash !== "") {
    throw new UsageError(`--signin-url '${escapeControls(value)}': must not hold a user, password or #fragment`);
  }
  return url;
}

/**
 * --destination: a console URL (https, or http to loopback), or a path such as `/s3/home` on the
 * partition's console (with the region, when known, as AWS's console links carry it).
 */
export function parseDestination(value: string, partition: string, region: string | undefined): URL {
  if (value.startsWith("/") && !value.startsWith("//")) {
    const url = new URL(value, consoleHome(partition, undefined));
    if (region !== undefined && !url.searchParams.has("region")) url.searchParams.set("region", region);
    return url;
  }
  const url = parseUrl(value, "--destination", "https://... or a console path such as /s3/home");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new UsageError(`--destination '${escapeControls(value)}': must be an https URL or a console path such as /s3/home`);
  }
  return url;
}

/** Only the syntax of --destination, before anything is known about the chain (bad input costs no STS call). */
export function checkDestinationSyntax(value: string): void {
  parseDestination(value, "aws", undefined);
}

/** The session as the federation endpoint takes it: JSON with these three names. */
export interface FederationSession {
  readonly sessionId: string;
  readonly sessionKey: string;
  readonly sessionToken: string;
}

/** GET URL for the sign-in token. `sessionDuration` only where AWS accepts it (see console-command.ts). */
export function signinTokenRequestUrl(endpoint: URL, session: FederationSession, sessionDuration?: number): URL {
  const url = new URL(endpoint);
  url.searchParams.set("Action", "getSigninToken");
  if (sessionDuration !== undefined) url.searchParams.set("SessionDuration", String(sessionDuration));
  url.searchParams.set("Session", JSON.stringify({ sessionId: session.sessionId, sessionKey: session.sessionKey, sessionToken: session.sessionToken }));
  return url;
}

/** The URL that signs the browser in: the sign-in token only, never the keys. */
export function loginUrl(endpoint: URL, signinToken: string, destination: URL): URL {
  const url = new URL(endpoint);
  url.searchParams.set("Action", "login");
  url.searchParams.set("Issuer", ISSUER);
  url.searchParams.set("Destination", destination.href);
  url.searchParams.set("SigninToken", signinToken);
  return url;
}
