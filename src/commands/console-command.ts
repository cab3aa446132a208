import { checkIsSession, checkPlanHasSession, consoleSessionDuration, partitionOfResult, plannedPartition } from "../console/console-plan.js";
import { checkDestinationSyntax, consoleHome, defaultSigninUrl, loginUrl, parseDestination, parseSigninUrl } from "../console/console-urls.js";
import { getSigninToken } from "../console/get-signin-token.js";
import { checkOpener, openBrowser, openerFor } from "../console/open-browser.js";
import type { Context } from "../context.js";
import type { ChainPlan } from "../types.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { planFromOptions, runPlan } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

export interface ConsoleOptions extends ResolveOptions {
  readonly url?: boolean | undefined;
  readonly signinUrl?: string | undefined;
  readonly destination?: string | undefined;
}

/**
 * `console`: resolve the chain, exchange its final session for a sign-in token at the federation endpoint,
 * and open the console's login URL in the browser (or print it with --url, as the only line on stdout).
 * The login URL carries the sign-in token, never the keys; the keys go only to the federation endpoint.
 */
export async function consoleCommand(ctx: Context, roles: string[], opts: ConsoleOptions): Promise<void> {
  // Bad flags cost no STS call, no MFA prompt.
  const signinUrl = opts.signinUrl === undefined ? undefined : parseSigninUrl(opts.signinUrl);
  if (opts.destination !== undefined) checkDestinationSyntax(opts.destination);
  const plan = await planFromOptions(ctx, roles, opts);
  if (opts.dryRun) {
    // Decided first: a partition without defaults is refused with nothing on stdout.
    const step = dryRunStep(plan, opts, signinUrl);
    ctx.stdout.write(`${describePlan(plan, ctx.env, ctx.colours.out)}then: ${step}\n`);
    return;
  }
  checkPlanHasSession(plan, ctx.env);
  // A role ARN on the command line already names the partition: one without defaults costs no request.
  const planned = plannedPartition(plan);
  if (planned !== undefined) {
    if (signinUrl === undefined) defaultSigninUrl(planned);
    if (opts.destination === undefined) consoleHome(planned, undefined);
    else parseDestination(opts.destination, planned, undefined);
  }
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  // The opener is only used at the end, but a missing one is known now, before any request or MFA prompt.
  if (!opts.url) await checkOpener(ctx, openerFor(ctx.platform, ctx.env, "URL"));
  const result = await runPlan(ctx, plan, opts, log);
  checkIsSession(result.credentials);
  const partition = partitionOfResult(result);
  const region = result.exportRegion;
  const endpoint = signinUrl ?? defaultSigninUrl(partition);
  const destination = opts.destination === undefined ? consoleHome(partition, region) : parseDestination(opts.destination, partition, region);
  const session = { sessionId: result.credentials.accessKeyId, sessionKey: result.credentials.secretAccessKey, sessionToken: result.credentials.sessionToken };
  const token = await getSigninToken({ fetch: ctx.fetch, debug: log.debug }, endpoint, session, consoleSessionDuration(plan));
  // A sign-in token is a bearer credential for the console (15 minutes): never on stderr.
  ctx.protectSecret(token);
  const url = loginUrl(endpoint, token, destination).href;
  if (opts.url) {
    ctx.stdout.write(`${url}\n`);
    return;
  }
  const opener = openerFor(ctx.platform, ctx.env, url);
  await openBrowser(ctx, opener);
  log.debug(`console: opened ${destination.href} with ${opener.file} (${opener.origin})`);
}

/** What --dry-run says the console step will do: the endpoint and destination when the plan already knows them. */
function dryRunStep(plan: ChainPlan, opts: ConsoleOptions, signinUrl: URL | undefined): string {
  const partition = plannedPartition(plan);
  const region = plan.region.kind === "set" ? plan.region.region : undefined;
  const known = (make: (p: string) => URL) => (partition === undefined ? undefined : make(partition).href);
  const endpoint = signinUrl === undefined ? known(defaultSigninUrl) : `${signinUrl.origin}${signinUrl.pathname}`;
  const destination =
    opts.destination === undefined ? known((p) => consoleHome(p, region)) : known((p) => parseDestination(opts.destination!, p, region)) ?? opts.destination;
  const duration = consoleSessionDuration(plan);
  return [
    `exchange the final session for a console sign-in token at ${endpoint ?? "the federation endpoint of the role's partition"}`,
    duration === undefined ? "no SessionDuration (the console session ends with the credentials)" : `SessionDuration ${duration}`,
    `destination ${destination ?? "the console home of the region"}`,
    opts.url ? "print the login URL" : "open the login URL in the browser",
  ].join("; ");
}
