import { checkIsSession, checkPlanHasSession, consoleSessionDuration, partitionOfResult } from "../console/console-plan.js";
import { checkDestinationSyntax, consoleHome, defaultSigninUrl, loginUrl, parseDestination, parseSigninUrl } from "../console/console-urls.js";
import { getSigninToken } from "../console/get-signin-token.js";
import { checkOpener, openBrowser, openerFor } from "../console/open-browser.js";
import type { Context } from "../context.js";
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
    ctx.stdout.write(describePlan(plan, ctx.env));
    const duration = consoleSessionDuration(plan);
    const where = signinUrl === undefined ? "the federation endpoint of the role's partition" : `${signinUrl.origin}${signinUrl.pathname}`;
    ctx.stdout.write(
      `then: exchange the session for a console sign-in token at ${where} (${duration === undefined ? "console session ends with the credentials" : `SessionDuration ${duration}`}) and ${opts.url ? "print the login URL" : "open it in the browser"}\n`,
    );
    return;
  }
  checkPlanHasSession(plan, ctx.env);
  const log = createLogger(ctx.stderr, verbosityOf(opts));
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
