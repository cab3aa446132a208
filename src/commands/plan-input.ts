import type { PlanInput, ProfilePlan } from "../plan/build-plan.js";
import type { ResolveOptions } from "./resolve-options.js";

/** What planning needs besides the flags: the operands, and what was read for them (profile chain, policy file). */
export interface PlanReads {
  readonly roles: readonly string[];
  readonly profile: ProfilePlan | undefined;
  /** The text of the --policy file. */
  readonly policy: string | undefined;
  readonly env: PlanInput["env"];
}

/**
 * Command-line options → the planner's input, field by field. Commander names attributes after the flags
 * (`--policy-arn` → `policyArn`), the planner after what they hold (`policyArns`): an untyped spread of one
 * into the other once dropped --tag, --transitive-tag and --policy-arn without a word. Here every option
 * is named once: a new option that is not routed below, or a field the planner does not have, fails to compile.
 */
export function planInputOf(opts: ResolveOptions, reads: PlanReads): PlanInput {
  const {
    // Read before planning (the profile's chain, the policy file's text), or used when the plan runs.
    profile: _profileName,
    policy: _policyFile,
    mfaToken: _mfaToken,
    cache: _cache,
    refresh: _refresh,
    dryRun: _dryRun,
    verbose: _verbose,
    quiet: _quiet,
    // Planned.
    source,
    sessionName,
    duration,
    externalId,
    mfaSerial,
    mfaProcess,
    mfaSessionDuration,
    sourceIdentity,
    tag,
    transitiveTag,
    policyArn,
    region,
    webIdentityTokenFile,
    webIdentityTokenEnv,
    ...unrouted
  } = opts;
  const nothingLeft: Record<string, never> = unrouted;
  void nothingLeft;
  return {
    roles: reads.roles,
    source,
    profile: reads.profile,
    sessionName,
    duration,
    externalId,
    mfaSerial,
    mfaProcess,
    mfaSessionDuration,
    sourceIdentity,
    tags: tag,
    transitiveTags: transitiveTag,
    policy: reads.policy,
    policyArns: policyArn,
    region,
    webIdentityTokenFile,
    webIdentityTokenEnv,
    env: reads.env,
  } satisfies PlanInput;
}
