/** A hop that failed, as a check: access denied (explained), duration refused, or the error's own words. */
import type { Context } from "../context.js";
import { AccessDeniedError, CliError, EXIT, StsRequestError } from "../errors.js";
import type { IamApi } from "../iam/iam-api.js";
import { defaultRegionOfPartition, parseRoleArn } from "../plan/role-arn.js";
import { endpointFromEnv } from "../sts/sts-endpoint.js";
import type { Credentials } from "../types.js";
import type { ChainObservation } from "./chain-observer.js";
import type { Check } from "./check.js";
import { explainDenial } from "./explain-denial.js";

export interface HopFailureDeps {
  readonly ctx: Context;
  /** Who signed hop `index`: its ARN, asked of STS when the chain did not learn it. */
  readonly callerArn: (index: number, credentials: Credentials) => Promise<string | undefined>;
  readonly debug: (line: string) => void;
}

export async function hopFailure(index: number, error: CliError, seen: ChainObservation, deps: HopFailureDeps): Promise<Check> {
  const name = `hop ${index + 1}`;
  const sent = seen.sent[index];
  const plain: Check = { name, status: "fail", summary: error.message, remedy: error.hint?.split("\n"), exitCode: error.exitCode };
  if (sent === undefined || sent.input.RoleArn === undefined) return plain;
  const roleArn = sent.input.RoleArn;
  const iam = () => iamAs(deps, sent.caller, roleArn);

  if (error instanceof AccessDeniedError && !/MFA code/.test(error.message)) {
    const callerArn = await deps.callerArn(index, sent.caller);
    if (callerArn === undefined) return plain;
    const inheritsTags = seen.sent.slice(0, index).some((s) => (s?.input.TransitiveTagKeys?.length ?? 0) > 0);
    const why = await explainDenial({ callerArn, roleArn, input: sent.input, inheritsTags }, iam());
    return {
      name,
      status: "fail",
      summary: error.message,
      details: [...why.statements.map((s) => `${s.side === "identity" ? "identity policy of" : "trust policy of"} ${s.attachTo}: ${s.verdict} (${s.why})`), why.conclusion],
      remedy: [
        "both sides must allow it (the caller's permissions AND the role's trust policy): where a side denies, add its statement below",
      ],
      statements: why.statements,
      exitCode: EXIT.accessDenied,
    };
  }

  if (error instanceof StsRequestError && /DurationSeconds/.test(error.message)) {
    const seconds = sent.input.DurationSeconds;
    const role = parseRoleArn(roleArn);
    if (/1 hour session limit/.test(error.message)) {
      return {
        name,
        status: "fail",
        summary: `duration: ${seconds} s refused for ${roleArn}: its caller is a role session, and role chaining is capped at 1 h`,
        remedy: ["ask for at most 1 h: --duration 1h (or drop duration_seconds from the profile)"],
        exitCode: error.exitCode,
      };
    }
    const max = await iam()
      .getRole(role?.name ?? "")
      .then((r) => r.maxSessionDuration, () => undefined);
    const limit = max === undefined ? "the role's MaxSessionDuration (the caller may not read it: iam:GetRole)" : `the role's MaxSessionDuration, ${max} s`;
    return {
      name,
      status: "fail",
      summary: `duration: ${seconds} s refused for ${roleArn}: over ${limit}`,
      remedy: [
        `ask for less: --duration ${max === undefined ? "1h" : `${max}`}`,
        `or raise the role's maximum (up to 43200 s): aws iam update-role --role-name ${role?.name ?? "ROLE"} --max-session-duration ${seconds ?? 43200}`,
      ],
      exitCode: error.exitCode,
    };
  }
  return plain;
}

/** IAM signed with `credentials`, at AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL (IAM is global: the partition's home region). */
function iamAs(deps: HopFailureDeps, credentials: Credentials, roleArn: string): IamApi {
  const partition = parseRoleArn(roleArn)?.partition ?? "aws";
  return deps.ctx.iam({ region: defaultRegionOfPartition(partition), endpoint: endpointFromEnv(deps.ctx.env, "IAM"), credentials, debug: deps.debug });
}
