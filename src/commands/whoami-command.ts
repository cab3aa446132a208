import { parseChainMarker } from "../chain-marker.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { MARKER_CHAIN, MARKER_KEY_ID, MARKER_ROLE_ARN } from "../markers.js";
import { nonBlank } from "../non-blank.js";
import { chainReport, UNRECORDED, whoamiJson, type WhoamiReport } from "../outputs/whoami-report.js";
import { describePlan } from "../plan/describe-plan.js";
import { mapStsError } from "../sts/map-sts-error.js";
import { regionalStsEndpoint, stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import type { ChainPath } from "../types.js";
import { createLogger, verbosityOf, type Logger } from "../ui/logger.js";
import { whoamiText } from "../ui/whoami-text.js";
import { stsFactory } from "./chain-deps.js";
import { planFromOptions, runPlan } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

export interface WhoamiOptions extends ResolveOptions {
  /** undefined: text, unless --json. */
  readonly format?: "text" | "json" | undefined;
  readonly json?: boolean | undefined;
  readonly chain?: boolean | undefined;
}

/**
 * Resolve the chain, then ask STS who the result is (GetCallerIdentity signed with the final credentials: the one
 * request whoami adds to the chain's). --chain shows the source and every hop from what the chain handed back. With no
 * ROLE and no profile, it describes the credentials the environment holds, this tool's own exports included.
 */
export async function whoamiCommand(ctx: Context, roles: string[], opts: WhoamiOptions): Promise<void> {
  if (opts.json && opts.format === "text") {
    throw new UsageError("whoami: --json cannot be used with -f text: give one format (--json is -f json)");
  }
  const json = opts.json === true || opts.format === "json";
  const log = createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err);
  const own = ownExports(ctx, roles, opts);
  // The environment's own exports are what is asked about: read them as a source (auto would skip them).
  const chainOpts = own ? { ...opts, source: "env" as const } : opts;
  const plan = await planFromOptions(ctx, roles, chainOpts);
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(plan, ctx.env, ctx.colours.out));
    ctx.stdout.write(`then: ask STS who the result is (GetCallerIdentity)${opts.chain ? " and show every hop" : ""}\n`);
    return;
  }
  const result = await runPlan(ctx, plan, chainOpts, log, { peekEarlier: opts.chain === true });
  const endpoint = stsEndpointFromEnv(ctx.env);
  const sts = stsFactory(ctx)({ region: result.region, endpoint, credentials: result.credentials, debug: log.debug });
  const id = await sts.getCallerIdentity().catch((err: unknown) => {
    throw mapStsError(err, { operation: "GetCallerIdentity", endpoint: endpoint ?? regionalStsEndpoint(result.region) });
  });
  const report: WhoamiReport = {
    identity: { account: id.account, arn: id.arn, userId: id.userId },
    expiration: result.credentials.expiration,
    madeBy: own ? madeBy(ctx.env, log) : undefined,
    ...(opts.chain ? chainReport(plan, result, ctx.env) : {}),
  };
  const now = ctx.now();
  ctx.stdout.write(json ? `${JSON.stringify(whoamiJson(report, now), null, 2)}\n` : whoamiText(report, now, ctx.colours.out));
}

/** No ROLE, no profile, and the environment's keys are the ones a previous run exported (its key-ID marker). */
function ownExports(ctx: Context, roles: readonly string[], opts: WhoamiOptions): boolean {
  if (roles.length > 0 || opts.profile !== undefined || nonBlank(ctx.env.AWS_PROFILE) !== undefined) return false;
  if (opts.source !== "auto" && opts.source !== "env") return false;
  const keyId = nonBlank(ctx.env.AWS_ACCESS_KEY_ID);
  return keyId !== undefined && nonBlank(ctx.env[MARKER_KEY_ID]) === keyId;
}

/** The chain the exports name; exports of an older run (or a marker this tool did not write) name only the final role. */
function madeBy(env: Context["env"], log: Logger): ChainPath | undefined {
  const text = nonBlank(env[MARKER_CHAIN]);
  const role = nonBlank(env[MARKER_ROLE_ARN]);
  const path = text === undefined ? undefined : parseChainMarker(text);
  if (text !== undefined && path === undefined) log.warn(`warning: ${MARKER_CHAIN} is not a chain assume-role writes; ignoring it`);
  return path ?? { source: UNRECORDED, roles: role === undefined ? [] : [role] };
}
