import { runChain, type ChainDeps } from "../chain/run-chain.js";
import { loadProfilePlan } from "../config/load-profile.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { buildPlan } from "../plan/build-plan.js";
import type { ChainPlan, ChainResult } from "../types.js";
import type { Logger } from "../ui/logger.js";
import { chainDeps, type DepsOptions } from "./chain-deps.js";
import { planInputOf } from "./plan-input.js";
import { readPolicyFile } from "./read-policy-file.js";
import type { ResolveOptions } from "./resolve-options.js";

/** A command's resolve options, plus its output format where it has one (`process` changes how AWS_PROFILE is read). */
export type ChainOptions = ResolveOptions & { readonly format?: string | undefined };

/**
 * What a command may add to a run: a cache freshness floor; the cache's view of hops a cached later hop made
 * unnecessary (whoami --chain); observers (doctor) that wrap the chain's edges without changing what they do.
 */
export type RunExtras = Pick<DepsOptions, "cacheMinFreshSeconds" | "peekEarlier"> & {
  readonly decorate?: ((deps: ChainDeps, plan: ChainPlan) => ChainDeps) | undefined;
};

/** Flags (+ the selected profile) → plan. Reads only the config files and the --policy file. */
export async function planFromOptions(ctx: Context, roles: string[], opts: ChainOptions): Promise<ChainPlan> {
  const profileName = opts.profile ?? profileFromEnv(ctx, opts);
  const profile = profileName === undefined ? undefined : await loadProfilePlan(ctx, profileName, { credentialsRequired: opts.source === "profile" });
  const policy = opts.policy === undefined ? undefined : await readPolicyFile(ctx, opts.policy);
  return buildPlan(planInputOf(opts, { roles, profile, policy, env: ctx.env }));
}

/** Plan, then run it against the edges of ctx. Shared by every command that needs credentials. */
export async function resolveChain(
  ctx: Context,
  roles: string[],
  opts: ChainOptions,
  log: Logger,
  extra: RunExtras = {},
): Promise<ChainResult> {
  return runPlan(ctx, await planFromOptions(ctx, roles, opts), opts, log, extra);
}

/** Run a plan made by planFromOptions (for a command that also needs the plan itself, as console and whoami do). */
export async function runPlan(
  ctx: Context,
  plan: ChainPlan,
  opts: ChainOptions,
  log: Logger,
  extra: RunExtras = {},
): Promise<ChainResult> {
  if (opts.mfaToken !== undefined && plan.session === undefined && !plan.hops.some((hop) => hop.params.SerialNumber !== undefined)) {
    throw new UsageError("--mfa-token: no step of this chain needs MFA (add --mfa-serial, or mfa_serial in the profile)");
  }
  for (const line of plan.warnings) log.warn(line);
  const { decorate, ...more } = extra;
  const deps = { mfaToken: opts.mfaToken, cache: opts.cache, refresh: opts.refresh, ...more } satisfies DepsOptions;
  const edges = await chainDeps(ctx, plan, deps, log);
  return runChain(plan, decorate === undefined ? edges : decorate(edges, plan));
}

/**
 * AWS_PROFILE selects a profile only where nothing more explicit does: not with --source imds/env/...,
 * and not for `--format process`, where the calling SDK already used AWS_PROFILE to reach this command
 * (reading it again would run the same credential_process forever).
 */
function profileFromEnv(ctx: Context, opts: ChainOptions): string | undefined {
  const name = ctx.env.AWS_PROFILE || undefined;
  if (name === undefined || opts.source === "profile") return name;
  return opts.source === "auto" && opts.format !== "process" ? name : undefined;
}
