import { Option, type Command } from "@commander-js/extra-typings";
import { FORMAT_NAMES } from "../outputs/formatters/registry.js";
import { SOURCE_KINDS } from "../types.js";

/** Options shared by every command that resolves credentials (design §2). */
export function withResolveOptions<Args extends unknown[]>(cmd: Command<Args, {}, {}>) {
  return cmd
    .addOption(new Option("--source <kind>", `where the first credentials come from`).choices(SOURCE_KINDS).default("auto" as const))
    .option(
      "-n, --session-name <template>",
      "RoleSessionName template; tokens {instanceId} {accountId} {region} {user} {host} {role} {hop} {time}",
    )
    .option("-d, --duration <dur>", "session length: 900, 15m, 1h, 1h30m or max (chained hops: at most 1h)")
    .option("--external-id <id>", "ExternalId for the last hop")
    .option("-r, --region <region>", "STS region (else AWS_REGION, AWS_DEFAULT_REGION, the IMDS region, us-east-1)")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMAT_NAMES).default("sh"))
    .option("-v, --verbose", "diagnostics on stderr (never secrets)")
    .option("-q, --quiet", "no warnings on stderr");
}

export type ResolveOptions = ReturnType<ReturnType<typeof withResolveOptions<[string[]]>>["opts"]>;
