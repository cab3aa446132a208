import type { Context } from "../context.js";
import { diagnose } from "../doctor/diagnose.js";
import { exitCodeOf, renderJson, renderText } from "../doctor/render-report.js";
import { describePlan } from "../plan/describe-plan.js";
import { createLogger, verbosityOf } from "../ui/logger.js";
import { planFromOptions } from "./resolve-chain.js";
import type { ResolveOptions } from "./resolve-options.js";

export interface DoctorOptions extends ResolveOptions {
  readonly json?: boolean | undefined;
}

/** Walk the chain hop by hop and say which check fails first and what to change; returns the exit status. */
export async function doctorCommand(ctx: Context, roles: string[], opts: DoctorOptions): Promise<number> {
  if (opts.dryRun) {
    ctx.stdout.write(describePlan(await planFromOptions(ctx, roles, opts), ctx.env, ctx.colours.out));
    ctx.stdout.write("then: check the environment, the source, the clock and each hop, stopping at the first failure\n");
    return 0;
  }
  const checks = await diagnose(ctx, roles, opts, createLogger(ctx.stderr, verbosityOf(opts), () => ctx.colours.err));
  ctx.stdout.write(opts.json ? renderJson(checks) : renderText(checks, ctx.colours.out));
  return exitCodeOf(checks);
}
