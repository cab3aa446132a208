import { Option, type Command } from "@commander-js/extra-typings";
import { FORMAT_NAMES } from "../outputs/formatters/format-names.js";
import { SOURCE_KINDS } from "../types.js";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options shared by every command that resolves credentials (design §2). */
export function withResolveOptions<Args extends unknown[]>(cmd: Command<Args, {}, {}>) {
  return cmd
    .option("-p, --profile <name>", "start from a profile of ~/.aws/config (default: AWS_PROFILE)")
    .addOption(new Option("--source <kind>", "where the first credentials come from").choices(SOURCE_KINDS).default("auto" as const))
    .option("-n, --session-name <template>", "RoleSessionName template; tokens {instanceId} {accountId} {region} {user} {host} {role} {hop} {time}")
    .option("-d, --duration <dur>", "session length: 900, 15m, 1h, 1h30m or max (chained hops: at most 1h)")
    .option("--external-id <id>", "ExternalId for the last hop")
    .option("--mfa-serial <arn>", "MFA device for the first hop")
    .option("--mfa-token <code>", "the 6-digit MFA code (else asked on the terminal)")
    .option("--source-identity <id>", "SourceIdentity carried on every hop")
    .option("--tag <key=value>", "session tag on every hop (repeatable)", collect)
    .option("--transitive-tag <key>", "make a session tag transitive (repeatable)", collect)
    .option("--policy <file>", "inline session policy (JSON file) for the last hop")
    .option("--policy-arn <arn>", "managed session policy for the last hop (repeatable)", collect)
    .option("--web-identity-token-file <path>", "OIDC token file for --source web-identity")
    .option("--web-identity-token-env <var>", "environment variable holding the OIDC token (GitLab id_tokens)")
    .option("-r, --region <region>", "STS region (else AWS_REGION, AWS_DEFAULT_REGION, profile region, the IMDS region, us-east-1)")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMAT_NAMES).default("sh"))
    .option("--no-cache", "neither read nor write the on-disk credential cache")
    .option("--refresh", "ignore cached credentials and store new ones")
    .option("--dry-run", "print the resolved chain without calling AWS")
    .option("-v, --verbose", "diagnostics on stderr (never secrets)")
    .option("-q, --quiet", "no warnings on stderr");
}

export type ResolveOptions = ReturnType<ReturnType<typeof withResolveOptions<[string[]]>>["opts"]>;
