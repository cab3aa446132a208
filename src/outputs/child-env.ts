import { CLEARED_NAMES, MARKER_CHAIN, MARKER_KEY_ID, MARKER_ROLE_ARN, type ExportSet } from "./export-set.js";

type Env = Readonly<Record<string, string | undefined>>;

export const CONTAINER_URI_VAR = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
export const CONTAINER_TOKEN_VAR = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/** The static credential variables (set by `exec`, never by `exec --refresh` or `serve`). */
const CREDENTIAL_NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
] as const;

/**
 * What a child of `exec` never inherits from the parent: credentials, profile selectors (aws-vault's
 * list: keys, tokens, AWS_CREDENTIAL_FILE, AWS_DEFAULT_PROFILE, AWS_PROFILE, AWS_SDK_LOAD_CONFIG), the
 * expiration and markers of an earlier run, and every container-credential setting (AWS_CONTAINER_*:
 * the parent's endpoint and its bearer token are not the child's).
 */
export const STALE_NAMES: readonly string[] = [
  ...CREDENTIAL_NAMES,
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_CREDENTIAL_FILE",
  "AWS_SDK_LOAD_CONFIG",
  MARKER_ROLE_ARN,
  MARKER_CHAIN,
  MARKER_KEY_ID,
];
export const STALE_PREFIX = "AWS_CONTAINER_";

/**
 * Sources that the SDK chains try BEFORE container credentials (JS: env, SSO, ini, process, token file,
 * then the endpoint; botocore: env, assume-role/web identity, profiles, then the endpoint): each would
 * win over the endpoint, so the endpoint's variable set clears them.
 */
export const SHADOWING_NAMES: readonly string[] = unique([
  ...CREDENTIAL_NAMES,
  ...CLEARED_NAMES,
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  MARKER_CHAIN,
  MARKER_KEY_ID,
]);

export interface EndpointExportInput {
  /** http://127.0.0.1:PORT/PATH of the local credential endpoint. */
  readonly url: string;
  /** The bearer token it requires in the Authorization header. */
  readonly token: string;
  readonly region?: string | undefined;
  readonly roleArn?: string | undefined;
  /**
   * For a child process (exec --refresh): hide the shared credentials file, whose [default] keys every SDK
   * reads before container credentials. Not for `serve`, whose lines land in a user's long-lived shell.
   */
  readonly hideSharedCredentials?: boolean | undefined;
}

/**
 * Pure: the variables that point every SDK at a local container-credentials endpoint (`serve` prints
 * them, `exec --refresh` gives them to the child), with everything that would win over it cleared.
 */
export function buildEndpointExportSet(input: EndpointExportInput): ExportSet {
  const set: Array<[string, string]> = [
    [CONTAINER_URI_VAR, input.url],
    [CONTAINER_TOKEN_VAR, input.token],
  ];
  if (input.region !== undefined) set.push(["AWS_REGION", input.region], ["AWS_DEFAULT_REGION", input.region]);
  if (input.hideSharedCredentials) set.push(["AWS_SHARED_CREDENTIALS_FILE", "/dev/null"]);
  const unset = [...SHADOWING_NAMES];
  if (input.roleArn === undefined) unset.push(MARKER_ROLE_ARN);
  else set.push([MARKER_ROLE_ARN, input.roleArn]);
  return { set, unset };
}

/** True for a parent variable the child must not inherit (see STALE_NAMES). */
export function isStale(name: string): boolean {
  return STALE_NAMES.includes(name) || name.startsWith(STALE_PREFIX);
}

/**
 * Pure: the child's environment = the parent's minus stale credential, profile and container
 * variables, minus `exports.unset`, plus `exports.set` (the same set a shell `eval` would apply).
 */
export function buildChildEnv(parent: Env, exports: ExportSet): Record<string, string> {
  const env = new Map<string, string>();
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !isStale(name)) env.set(name, value);
  }
  for (const name of exports.unset) env.delete(name);
  for (const [name, value] of exports.set) env.set(name, value);
  return Object.fromEntries(env);
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
