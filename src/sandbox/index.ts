/**
 * Local emulator of EC2 IMDS and AWS STS (tests, `npm run demo`, `assume-role sandbox`).
 * Nothing in the core imports this; the CLI loads it lazily for the `sandbox` command.
 */
export { startSandbox, type Sandbox, type SandboxOptions, type TemporaryCredentials } from "./start-sandbox.js";
export { NO_FAULTS, type Faults, type ImdsFaultKind, type StsFaultKind } from "./faults.js";
export type { StsRequestRecord } from "./sts-handler.js";
export type { FederationRecord } from "./federation.js";
export {
  parseWorld,
  patchInstance,
  MAX_CREDENTIALS_AGE_SECONDS,
  WorldError,
  type InstancePatch,
  type Account,
  type Instance,
  type MfaDevice,
  type Role,
  type User,
  type World,
} from "./world.js";
export { readWorldFile } from "./world-file.js";
export {
  defaultWorld,
  DEFAULT_WORLD_JSON,
  SANDBOX_GITHUB_OIDC_SECRET,
  SANDBOX_GITLAB_OIDC_SECRET,
} from "./default-world.js";
export type { OidcProvider } from "./world-oidc.js";
export { parsePolicy, type Policy, type PolicyKind, type Statement } from "./policy-document.js";
export { ShapeError } from "./shape.js";
export { evaluatePolicy, type Decision, type PrincipalContext, type RequestContext } from "./policy.js";
