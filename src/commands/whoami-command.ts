import type { Context } from "../context.js";
import { mapStsError } from "../sts/map-sts-error.js";
import { regionalStsEndpoint, stsEndpointFromEnv } from "../sts/sts-endpoint.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { describePlan } from "../plan/describe-plan.js";
import { stsFactory } from "./chain-deps.js";
import { planFromOptions, resolveChain } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

/** Resolve the chain, then ask STS who the result is (GetCallerIdentity signed with the final credentials). */
export async function whoamiCommand(ctx: Context, roles: string[], opts: ResolveOptions & { readonly format: "text" | "json" }): Promise<void> {
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    ctx.stdout.write("then: ask STS who the result is (GetCallerIdentity)\n");
    return;
  }
  const log = createLogger(ctx.stderr, verbosityOf(opts), ctx.colours.err);
  const result = await resolveChain(ctx, roles, opts, log);
  const endpoint = stsEndpointFromEnv(ctx.env);
  const sts = stsFactory(ctx)({ region: result.region, endpoint, credentials: result.credentials, debug: log.debug });
  const id = await sts.getCallerIdentity().catch((err: unknown) => {
    throw mapStsError(err, { operation: "GetCallerIdentity", endpoint: endpoint ?? regionalStsEndpoint(result.region) });
  });
  const expiration = result.credentials.expiration?.toISOString();
  if (opts.format === "json") {
    ctx.stdout.write(JSON.stringify({ Account: id.account, Arn: id.arn, UserId: id.userId, Expiration: expiration }, null, 2) + "\n");
  } else {
    ctx.stdout.write(`${id.arn}\n`);
  }
}
