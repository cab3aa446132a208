import { ConfigError } from "../errors.js";
import { nonBlank } from "../non-blank.js";
import type { EffectiveSource, SourcePlan } from "../types.js";
import { decideDuration } from "./parse-duration.js";
import { parseRoleArn } from "./role-arn.js";
import { OTHER_DEFAULT_TEMPLATE } from "./session-name.js";

type Env = Readonly<Record<string, string | undefined>>;

const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * Pure: the source with its own decisions made. For web identity (chosen by flag, profile or `auto`) that is the
 * session name (its own template, else AWS_ROLE_SESSION_NAME as the SDKs read it, else the CI run, else
 * {user}@{host}) and the DurationSeconds (default 1 h, `max` 12 h: AssumeRoleWithWebIdentity is never chained).
 * Role and token stay as given: the source takes AWS_ROLE_ARN and the token variables when it runs.
 */
export function decideSource(
  source: SourcePlan,
  effective: EffectiveSource,
  env: Env,
  flags: { readonly sessionName?: string | undefined; readonly ciSessionName?: string | undefined },
): SourcePlan {
  if (effective !== "web-identity") return source;
  // `auto` chose web identity from the environment: --session-name names its session as it would with --source web-identity.
  const own: Extract<SourcePlan, { kind: "web-identity" }> =
    source.kind === "web-identity" ? source : { kind: "web-identity", sessionName: flags.sessionName };
  const roleArn = own.roleArn ?? nonBlank(env.AWS_ROLE_ARN);
  if (roleArn !== undefined && parseRoleArn(roleArn) === undefined) {
    const from = own.roleArn === undefined ? "AWS_ROLE_ARN" : "web identity role";
    throw new ConfigError(`${from} '${roleArn}' is not a role ARN: expected arn:PARTITION:iam::ACCOUNT:role/NAME`);
  }
  const fromEnv = nonBlank(env.AWS_ROLE_SESSION_NAME);
  if (own.sessionName === undefined && fromEnv !== undefined && !ROLE_SESSION_NAME.test(fromEnv)) {
    throw new ConfigError(`AWS_ROLE_SESSION_NAME '${fromEnv}': must be 2-64 characters of letters, digits and +=,.@_-`);
  }
  return {
    ...own,
    sessionName: own.sessionName ?? fromEnv ?? flags.ciSessionName ?? OTHER_DEFAULT_TEMPLATE,
    duration: decideDuration(own.duration, false).seconds,
  };
}
