import { checkWriteProfileTarget, writeProfile } from "../config/write-profile.js";
import { writeProfileRegion, type ProfileRegionOutcome } from "../config/write-profile-region.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { buildExportSet } from "../outputs/export-set.js";
import { githubFiles, writeGithubOutputs } from "../outputs/github-env-file.js";
import { getFormatter, type FormatName } from "../outputs/formatters/registry.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf, type Logger } from "../ui/logger.js";
import { planFromOptions, resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";
import { isoMillis } from "../iso-seconds.js";

export interface AssumeOptions extends ResolveOptions {
  readonly format: FormatName;
  readonly writeProfile?: string | undefined;
  readonly credentialsFile?: string | undefined;
  readonly force?: boolean | undefined;
  readonly outputCredentials?: boolean | undefined;
  readonly maskAccountId?: boolean | undefined;
}

/** The default command: resolve the chain, print the final credentials once, at the end (or write a profile). */
export async function assumeCommand(ctx: Context, roles: string[], opts: AssumeOptions): Promise<void> {
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  for (const [flag, given] of [["--credentials-file", opts.credentialsFile !== undefined], ["--force", opts.force === true]] as const) {
    if (given && opts.writeProfile === undefined) throw new UsageError(`${flag} applies only with -w/--write-profile, which is not given`);
  }
  for (const [flag, given] of [["--output-credentials", opts.outputCredentials === true], ["--mask-account-id", opts.maskAccountId === true]] as const) {
    if (given && opts.format !== "github") throw new UsageError(`${flag} applies only with -f github, not -f ${opts.format}`);
  }
  const github = { outputCredentials: opts.outputCredentials === true, maskAccountId: opts.maskAccountId === true };
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    ctx.stdout.write(`then: ${opts.writeProfile === undefined ? `print the credentials as ${opts.format}` : `write them to profile [${opts.writeProfile}] of ${opts.credentialsFile ?? "the shared credentials file"}`}\n`);
    return;
  }
  // A bad profile name or credentials file, or a missing $GITHUB_ENV / $GITHUB_OUTPUT, must cost no STS call and no MFA prompt.
  if (opts.writeProfile !== undefined) await checkWriteProfileTarget(ctx, opts.writeProfile, opts.credentialsFile, Boolean(opts.force));
  const githubTargets = opts.format === "github" && opts.writeProfile === undefined ? await githubFiles(ctx, github) : undefined;
  const result = await resolveChain(ctx, roles, opts, log);
  if (opts.writeProfile !== undefined) {
    const written = await writeProfile(ctx, {
      name: opts.writeProfile,
      path: opts.credentialsFile,
      credentials: result.credentials,
      force: Boolean(opts.force),
    });
    const expires = result.credentials.expiration ? `, expires ${isoMillis(result.credentials.expiration)}` : "";
    log.warn(`wrote profile [${opts.writeProfile}] to ${written.path}${expires}`);
    // With --credentials-file the user chose a file apart from the shared pair: the shared config file is not theirs to change here.
    if (result.exportRegion !== undefined && opts.credentialsFile === undefined) {
      regionNote(log, opts.writeProfile, result.exportRegion, await writeProfileRegion(ctx, opts.writeProfile, result.exportRegion, log));
    }
    return;
  }
  const formatter = getFormatter(opts.format);
  if (!formatter) throw new Error(`no formatter for ${opts.format}`);
  const region = result.exportRegion;
  const input = {
    exports: buildExportSet({ credentials: result.credentials, region, roleArn: result.roleArn, chain: result.path }),
    credentials: result.credentials,
    region,
    roleArn: result.roleArn,
    assumedRoleArn: result.hops.at(-1)?.assumedRoleArn,
  };
  // `-f github`: mask lines on stdout, the variables appended to $GITHUB_ENV for the next steps, step outputs to $GITHUB_OUTPUT.
  if (githubTargets !== undefined) return writeGithubOutputs(ctx, githubTargets, input, github);
  ctx.stdout.write(formatter(input));
}

/** One line on what --write-profile did to the config file's region (nothing when it already had this one). */
function regionNote(log: Logger, name: string, region: string, outcome: ProfileRegionOutcome): void {
  const section = name === "default" ? "[default]" : `[profile ${name}]`;
  if (outcome.kind === "added") log.warn(`added region = ${region} to ${section} in ${outcome.path}`);
  else if (outcome.kind === "skipped") log.warn(`did not add region = ${region} to ${section} in ${outcome.path}: ${outcome.reason}; add it there yourself`);
  else if (outcome.region !== region) log.warn(`${section} in ${outcome.path} keeps its region ${outcome.region} (these credentials were made in ${region})`);
}
