import type { Context } from "../context.js";
import { EXIT, NoCredentialsError, UsageError } from "../errors.js";
import { ImdsClient } from "../imds/imds-client.js";
import { imdsConfigFromEnv } from "../imds/imds-config.js";
import { createImdsFacts } from "../imds/imds-facts.js";
import { DEFAULT_STALE_AFTER_SECONDS, imdsWarnings } from "../imds/imds-warnings.js";
import { inspectImds } from "../imds/inspect-imds.js";
import { mapStsError } from "../sts/map-sts-error.js";
import { regionalStsEndpoint, stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import { imdsReportJson, imdsReportText } from "../ui/imds-report.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { stsFactory } from "./chain-deps.js";
import { parseSpan } from "./parse-span.js";

export interface ImdsCommandOptions {
  readonly format: "text" | "json";
  readonly json?: true | undefined;
  readonly staleAfter?: string | undefined;
  readonly verbose?: true | undefined;
}

/**
 * What the metadata service serves, and who STS says its credentials are: a report, with seed 004's warnings.
 * The report is printed whatever it says; the exit status tells scripts whether the instance serves usable
 * credentials: 3 when it serves none (no role, or none could be fetched), 6 when what it serves has expired.
 */
export async function imdsCommand(ctx: Context, opts: ImdsCommandOptions): Promise<number> {
  const staleAfter = staleAfterSeconds(opts.staleAfter);
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  const config = imdsConfigFromEnv(ctx.env);
  if (config.disabled) {
    throw new NoCredentialsError("IMDS is turned off by AWS_EC2_METADATA_DISABLED=true", { hint: "unset AWS_EC2_METADATA_DISABLED to ask the metadata service" });
  }
  const stsEndpoint = stsEndpointFromEnv(ctx.env);
  const sts = stsFactory(ctx);
  const client = new ImdsClient(config, ctx.imdsRequest, log.debug, ctx.hostSlowdown);
  const inspection = await inspectImds({
    client,
    facts: createImdsFacts(client),
    region: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined,
    whoIs: (credentials, region) => {
      ctx.protectSecret(credentials.secretAccessKey);
      if (credentials.sessionToken) ctx.protectSecret(credentials.sessionToken);
      return sts({ region, endpoint: stsEndpoint, credentials, debug: log.debug })
        .getCallerIdentity()
        .catch((err: unknown) => {
          throw mapStsError(err, { operation: "GetCallerIdentity", endpoint: stsEndpoint ?? regionalStsEndpoint(region) });
        });
    },
  });
  const now = ctx.now();
  const warnings = imdsWarnings(inspection, now, staleAfter);
  const json = opts.json === true || opts.format === "json";
  ctx.stdout.write(json ? imdsReportJson(inspection, warnings, now) : imdsReportText(inspection, warnings, now, ctx.colours.out));
  if (!inspection.credentials.ok) return EXIT.noSource;
  return warnings.some((w) => w.code === "expired-credentials") ? EXIT.network : EXIT.ok;
}

function staleAfterSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_STALE_AFTER_SECONDS;
  const seconds = parseSpan(text);
  if (seconds === undefined || seconds < 60) {
    throw new UsageError(`--stale-after '${text}': expected a time of at least a minute, like 30m, 1h or 2h30m`);
  }
  return seconds;
}
