import { Option, type Command } from "@commander-js/extra-typings";
import { SOURCE_KINDS } from "../types.js";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Options shared by every command that resolves credentials (design §2). `--format` is each command's own
 * (what it can print differs). `--refresh` renews the cache entries, except on exec, where it selects the
 * renewing endpoint (and then goes with --no-cache).
 */
export function withResolveOptions<Args extends unknown[]>(cmd: Command<Args, {}, {}>, refresh: "cache" | "endpoint" = "cache") {
  return cmd
    .option("-p, --profile <name>", "start from a profile of ~/.aws/config (default: AWS_PROFILE)")
    .addOption(new Option("--source <kind>", "where the first credentials come from").choices(SOURCE_KINDS).default("auto" as const))
    .option("-n, --session-name <template>", "RoleSessionName template; tokens {instanceId} {accountId} {region} {user} {host} {role} {hop} {time}")
    .option("-d, --duration <dur>", "session length: 900, 15m, 1h, 1h30m or max (chained hops: at most 1h)")
    .option("--external-id <id>", "ExternalId for the last hop")
    .option("--mfa-serial <arn>", "MFA device for the first hop")
    .option("--mfa-token <code>", "the 6-digit MFA code (else asked on the terminal)")
    .addOption(new Option("--mfa-process <command>", "a command that prints the MFA code (as mfa_process)").conflicts("mfaToken"))
    .option("--mfa-session-duration <dur>", "MFA session (GetSessionToken) length: 15m to 36h (default 12h)")
    .option("--source-identity <id>", "SourceIdentity carried on every hop")
    .option("--tag <key=value>", "session tag on every hop (repeatable)", collect)
    .option("--transitive-tag <key>", "make a session tag transitive (repeatable)", collect)
    .option("--policy <file>", "inline session policy (JSON file) for the last hop")
    .option("--policy-arn <arn>", "managed session policy for the last hop (repeatable)", collect)
    .option("--web-identity-token-file <path>", "OIDC token file for --source web-identity")
    .option("--web-identity-token-env <var>", "environment variable holding the OIDC token (GitLab id_tokens)")
    .option("-r, --region <region>", "STS region (else AWS_REGION, AWS_DEFAULT_REGION, profile region, the IMDS region, us-east-1)")
    .option("--no-cache", "neither read nor write the on-disk credential cache")
    .addOption(
      refresh === "cache"
        ? new Option("--refresh", "ignore cached credentials and store new ones").conflicts("cache")
        : new Option("--refresh", "serve the credentials to CMD from a local endpoint that renews them before they expire"),
    )
    .option("--dry-run", "print the resolved chain without calling AWS")
    .option("-v, --verbose", "diagnostics on stderr (never secrets)")
    .addOption(new Option("-q, --quiet", "no warnings on stderr").conflicts("verbose"));
}

export type ResolveOptions = ReturnType<ReturnType<typeof withResolveOptions<[string[]]>>["opts"]>;
