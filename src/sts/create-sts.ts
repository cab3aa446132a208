import { BadAnswerError } from "../errors.js";
import { checkCredentials, unreadableAnswer, type AnswerMeta, type StsCall } from "./sts-answer.js";
import { sdkCredentials } from "../sdk-credentials.js";
import type { AssumeRoleOutput, StsApi, StsConfig } from "./sts-api.js";

type Sdk = typeof import("./sts-sdk.js");
type Client = InstanceType<Sdk["STSClient"]>;
/** What `send` needs of an SDK command (each command's own stack types do not unify). */
interface StsCommand {
  readonly middlewareStack: { add(middleware: never, options: object): void };
}

/**
 * The one place that builds an STSClient. The SDK is imported on first use, never at start-up. Every
 * answer is checked before it is returned: anything that is not an STS answer is a BadAnswerError (exit 6).
 */
export function createSts(config: StsConfig, now: () => Date = () => new Date()): StsApi {
  let loaded: Promise<{ sdk: Sdk; client: Client }> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import("./sts-sdk.js"), sharedAgents()]).then(([sdk, a]) => ({ sdk, client: new sdk.STSClient(clientConfig(config, a)) })));
  const endpoint = config.endpoint ?? `https://sts.${config.region}.amazonaws.com`;
  const send = async <O>(command: StsCommand, call: StsCall): Promise<{ out: O; meta: AnswerMeta }> => {
    const { client } = await load();
    const meta: AnswerMeta = {};
    command.middlewareStack.add(recordAnswer(meta, config.onAnswer) as never, { step: "deserialize", priority: "low", name: "assumeRoleRecordAnswer" });
    try {
      return { out: (await client.send(command as Parameters<Client["send"]>[0])) as O, meta };
    } catch (err) {
      throw unreadableAnswer(err, call, meta) ?? err;
    }
  };
  return {
    async assumeRole(input) {
      const { sdk } = await load();
      const call = { what: `AssumeRole ${input.RoleArn}`, endpoint };
      const { out, meta } = await send<SdkAssumeOutput>(
        // The input is the SDK's own shape (the plan built it); readonly lists are copied for its mutable types.
        new sdk.AssumeRoleCommand({
          ...input,
          Tags: input.Tags?.map((t) => ({ ...t })),
          TransitiveTagKeys: input.TransitiveTagKeys ? [...input.TransitiveTagKeys] : undefined,
          PolicyArns: input.PolicyArns?.map((p) => ({ ...p })),
        }),
        call,
      );
      config.debug?.(`sts: AssumeRole ${input.RoleArn} (attempts ${out.$metadata.attempts ?? 1})`);
      return toOutput(out, call, meta, now());
    },
    async assumeRoleWithWebIdentity(input) {
      const { sdk } = await load();
      const call = { what: `AssumeRoleWithWebIdentity ${input.roleArn}`, endpoint };
      const { out, meta } = await send<SdkAssumeOutput>(
        new sdk.AssumeRoleWithWebIdentityCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.roleSessionName,
          WebIdentityToken: input.webIdentityToken,
          DurationSeconds: input.durationSeconds,
        }),
        call,
      );
      config.debug?.(`sts: AssumeRoleWithWebIdentity ${input.roleArn} (attempts ${out.$metadata.attempts ?? 1})`);
      return toOutput(out, call, meta, now());
    },
    async getSessionToken(input) {
      const { sdk } = await load();
      const call = { what: "GetSessionToken", endpoint };
      const { out, meta } = await send<SdkAssumeOutput>(new sdk.GetSessionTokenCommand({ ...input }), call);
      config.debug?.(`sts: GetSessionToken (attempts ${out.$metadata.attempts ?? 1})`);
      return { credentials: checkCredentials(out.Credentials, null, call, meta, now()) };
    },
    async getCallerIdentity() {
      const { sdk } = await load();
      const call = { what: "GetCallerIdentity", endpoint };
      const { out, meta } = await send<{ Account?: string; Arn?: string; UserId?: string }>(new sdk.GetCallerIdentityCommand({}), call);
      if (!out.Account || !out.Arn || !out.UserId) {
        throw new BadAnswerError(`STS answered GetCallerIdentity without Account, Arn and UserId (HTTP ${meta.status ?? "?"})`, {
          hint: `that is not an STS answer; is ${endpoint} really STS (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL)?`,
        });
      }
      return { account: out.Account, arn: out.Arn, userId: out.UserId };
    },
  };
}

/** A middleware next to the wire: keeps the status, content type and Date header of each answer (the last attempt wins). */
function recordAnswer(meta: AnswerMeta, onAnswer: StsConfig["onAnswer"]) {
  return <A, R>(next: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      const result = await next(args);
      const response = (result as { response?: { statusCode?: number; headers?: Record<string, string | undefined> } }).response;
      meta.status = response?.statusCode;
      meta.contentType = response?.headers?.["content-type"];
      meta.date = response?.headers?.["date"];
      onAnswer?.({ status: meta.status, date: meta.date });
      return result;
    };
}

type Agents = { httpAgent: import("node:http").Agent; httpsAgent: import("node:https").Agent };

/**
 * Created with the first client (node:http and node:https are loaded with the SDK, not at start-up), and shared by
 * every client, also those created while the first one's are being made (the hops of a chain start together).
 */
let agents: Promise<Agents> | undefined;

function sharedAgents(): Promise<Agents> {
  // An idle kept-alive socket does not hold the process open (the agent unrefs it).
  return (agents ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => ({
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
  })));
}

function clientConfig(config: StsConfig, agents: Agents) {
  const c = config.credentials;
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // Unsigned calls (web identity) still need a credentials value: an empty provider is never used by them.
    // Credentials still on their way are a provider: the SDK builds the request and awaits them to sign it.
    credentials: c === undefined ? { accessKeyId: "", secretAccessKey: "" } : c instanceof Promise ? () => c.then(sdkCredentials) : sdkCredentials(c),
    maxAttempts: config.maxAttempts ?? 3,
    useFipsEndpoint: config.useFipsEndpoint ?? false,
    useDualstackEndpoint: config.useDualstackEndpoint ?? false,
    // The SDK's default is no timeout at all: a cron job must not hang on a silent endpoint.
    // One keep-alive agent per process: every hop to the same STS endpoint reuses one connection (one TLS handshake).
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true, ...agents },
    // The endpoint comes from ctx (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL); a profile's endpoint_url must not redirect it.
    ignoreConfiguredEndpointUrls: true,
    // Given here, the SDK looks none of these up in the environment and the shared config files at the first request
    // (it would load fs/promises and read both files on the cold chain's path): retries as the README says,
    // SigV4 (STS has no other scheme), clock skew corrected as by default, and the retry mode and user-agent app ID
    // of AWS_RETRY_MODE and AWS_SDK_UA_APP_ID only.
    retryMode: config.retryMode ?? "standard",
    disableClockSkewCorrection: false,
    authSchemePreference: [],
    userAgentAppId: async () => config.userAgentAppId,
    streamCollector: collectBody,
    logger: silentLogger,
  };
}

/**
 * The answer's body, from Node's http response (a Readable). The SDK's own collector first asks whether the body is a
 * web ReadableStream, and reading that global loads Node's web streams: 2 ms of every cold chain.
 */
function collectBody(body: NodeJS.ReadableStream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on("data", (chunk: Buffer | string) => chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
    body.on("end", () => resolve(Buffer.concat(chunks)));
    body.on("error", reject);
  });
}

interface SdkAssumeOutput {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined;
  AssumedRoleUser?: { Arn?: string } | undefined;
  $metadata: { attempts?: number };
}

function toOutput(out: SdkAssumeOutput, call: StsCall, meta: AnswerMeta, now: Date): AssumeRoleOutput {
  const assumedRoleArn = out.AssumedRoleUser?.Arn;
  const credentials = checkCredentials(out.Credentials, assumedRoleArn, call, meta, now);
  return { credentials, assumedRoleArn: assumedRoleArn! };
}

const noop = (): void => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
