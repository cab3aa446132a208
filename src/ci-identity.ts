/**
 * Pure facts about the CI system a run is in, read from its standard variables:
 * which CI, whether it offers an OIDC token, and the run identity used as a default session name.
 */
import { nonBlank } from "./non-blank.js";
import { sanitizeSessionName } from "./plan/session-name.js";

type Env = Readonly<Record<string, string | undefined>>;

export type CiKind = "github" | "gitlab";


/** GitHub Actions sets GITHUB_ACTIONS=true, GitLab CI sets GITLAB_CI=true. */
export function detectCi(env: Env): CiKind | undefined {
  if (env.GITHUB_ACTIONS === "true") return "github";
  if (env.GITLAB_CI === "true") return "gitlab";
  return undefined;
}

/**
 * GitHub Actions hands a job an OIDC token endpoint only with `permissions: id-token: write`:
 * both ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are then set.
 */
export function githubOidcAvailable(env: Env): boolean {
  return nonBlank(env.ACTIONS_ID_TOKEN_REQUEST_URL) !== undefined && nonBlank(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) !== undefined;
}


/**
 * The CI run as a RoleSessionName, so CloudTrail in the role's account names the run:
 *   GitHub: gh-<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>[-<repository name>]   e.g. gh-9876543210-1-app
 *   GitLab: gl-<CI_PIPELINE_ID>-<CI_JOB_ID>[-<CI_PROJECT_NAME>]            e.g. gl-123456-7890123-app
 * The run numbers come first so that cutting to 64 characters only shortens the name part.
 * Undefined outside a recognised CI or when its run ID is missing.
 */
export function ciSessionName(env: Env): string | undefined {
  const parts = ciParts(env);
  if (parts === undefined) return undefined;
  const name = sanitizeSessionName(parts.filter((p): p is string => p !== undefined && p !== "").join("-"));
  return name.length >= 2 ? name : undefined;
}

function ciParts(env: Env): Array<string | undefined> | undefined {
  switch (detectCi(env)) {
    case "github": {
      const runId = nonBlank(env.GITHUB_RUN_ID);
      if (runId === undefined) return undefined;
      const repo = nonBlank(env.GITHUB_REPOSITORY)?.split("/").pop();
      return ["gh", runId, nonBlank(env.GITHUB_RUN_ATTEMPT) ?? "1", repo];
    }
    case "gitlab": {
      const pipeline = nonBlank(env.CI_PIPELINE_ID);
      const job = nonBlank(env.CI_JOB_ID);
      if (pipeline === undefined && job === undefined) return undefined;
      return ["gl", pipeline, job, nonBlank(env.CI_PROJECT_NAME)];
    }
    default:
      return undefined;
  }
}
