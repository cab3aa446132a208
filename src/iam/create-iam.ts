import { sdkCredentials } from "../sdk-credentials.js";
import type { EvalDecision, IamApi, IamConfig } from "./iam-api.js";

type Sdk = typeof import("@aws-sdk/client-iam");

/**
 * The one place that builds an IAMClient. The SDK is imported on first use (only doctor reads IAM). Errors are
 * the SDK's own (name = AWS error code): the caller decides what a denial means.
 */
export function createIam(config: IamConfig): IamApi {
  let loaded: Promise<{ sdk: Sdk; client: InstanceType<Sdk["IAMClient"]> }> | undefined;
  const load = () =>
    (loaded ??= import("@aws-sdk/client-iam").then((sdk) => ({
      sdk,
      client: new sdk.IAMClient({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        credentials: sdkCredentials(config.credentials),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
        ignoreConfiguredEndpointUrls: true,
        logger: silentLogger,
      }),
    })));
  return {
    async getRole(roleName) {
      const { sdk, client } = await load();
      const out = await client.send(new sdk.GetRoleCommand({ RoleName: roleName }));
      config.debug?.(`iam: GetRole ${roleName}`);
      const role = out.Role;
      const document = role?.AssumeRolePolicyDocument;
      return {
        arn: role?.Arn ?? "",
        // IAM hands the document URL-encoded.
        trustPolicy: document === undefined ? undefined : parseJson(decodeURIComponent(document)),
        maxSessionDuration: role?.MaxSessionDuration,
      };
    },
    async simulatePrincipalPolicy(input) {
      const { sdk, client } = await load();
      const out = await client.send(
        new sdk.SimulatePrincipalPolicyCommand({
          PolicySourceArn: input.policySourceArn,
          ActionNames: [...input.actions],
          ResourceArns: [input.resourceArn],
          ContextEntries: Object.entries(input.context ?? {}).map(([key, value]) => ({
            ContextKeyName: key,
            ContextKeyValues: [value],
            ContextKeyType: "string" as const,
          })),
        }),
      );
      config.debug?.(`iam: SimulatePrincipalPolicy ${input.policySourceArn} ${input.actions.join(",")}`);
      const decisions: Record<string, EvalDecision> = {};
      for (const r of out.EvaluationResults ?? []) {
        if (r.EvalActionName !== undefined && r.EvalDecision !== undefined) decisions[r.EvalActionName] = r.EvalDecision as EvalDecision;
      }
      return decisions;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const noop = (): void => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
