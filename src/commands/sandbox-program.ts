import { Command, Option } from "@commander-js/extra-typings";
import type { Context } from "../context.js";
import { SERVE_FORMAT_NAMES } from "../outputs/formatters/format-names.js";
import { IMDS_FAULT_KINDS, STS_FAULT_KINDS } from "../sandbox/fault-kinds.js";

/**
 * `assume-role sandbox` and its fault and instance-state flags (the values are checked by sandbox-command.ts);
 * `summary` is its line in the root's help (command-listing.ts).
 */
export function sandboxProgram(ctx: Context, summary: string) {
  return new Command("sandbox")
    .description(summary)
    .option("--world <file>", "world file (JSON) declaring accounts, roles and the instance")
    .option("--imds-port <port>", "IMDS port (default: random)")
    .option("--sts-port <port>", "STS port (default: random)")
    .addOption(new Option("-f, --format <format>", "how to print the variables").choices(SERVE_FORMAT_NAMES).default("sh"))
    // Fault knobs (see src/sandbox/faults.ts); values are checked by the command.
    .option("--latency <time>", "answer every IMDS and STS request this long after it arrived: 20ms, 1.5s")
    .option("--sts-throttle-first <n>", "answer the first N STS requests with Throttling (HTTP 400)")
    .option("--sts-5xx-first <n>", "then N more with ServiceUnavailable (HTTP 503)")
    .option("--sts-fault <kind>", `answer every later STS request with a fault: ${faultKinds(STS_FAULT_KINDS)}`)
    .option("--sts-session-seconds <n>", "sessions STS issues expire after at most N seconds")
    .option("--imds-v1-only", "IMDS without v2: the token PUT answers 405")
    .option("--imds-v2-required", "IMDS requires v2: GETs without a token answer 401")
    .option("--imds-token-unanswered", "the IMDS token PUT never answers (a container behind hop limit 1)")
    .option("--imds-down", "IMDS drops every connection")
    .option("--imds-401-after <n>", "after the first N IMDS GETs, every GET answers 401, even with a fresh token")
    .option("--imds-fault <kind>", `IMDS answers with a fault: ${faultKinds(IMDS_FAULT_KINDS)}`)
    // Instance states (seed 004), also world-file instance keys servedRole, instanceProfile, credentialsAgeSeconds.
    .option("--imds-served-role <role>", "serve this role's credentials under the listed role (a role swap IMDS has not caught up with)")
    .option("--imds-instance-profile <name>", "name the instance profile differently from its role")
    .option("--imds-credentials-age <time>", "the served credentials were last updated this long ago: 90m, 3h (at most 5h54m)")
    .action(async (opts) => {
      const { sandboxCommand } = await import("./sandbox-command.js");
      await sandboxCommand(ctx, opts);
    });
}

const faultKinds = (kinds: readonly string[]) => kinds.filter((k) => k !== "none").join(", ");
