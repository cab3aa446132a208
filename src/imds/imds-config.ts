import { ConfigError } from "../errors.js";

export interface ImdsConfig {
  readonly endpoint: string;
  readonly disabled: boolean;
  readonly v1Disabled: boolean;
  /** Per-request timeout (AWS_METADATA_SERVICE_TIMEOUT, seconds; default 1). */
  readonly timeoutMs: number;
  /** True when AWS_METADATA_SERVICE_TIMEOUT was set (then never shortened). */
  readonly timeoutExplicit: boolean;
  /** Attempts for 5xx answers (AWS_METADATA_SERVICE_NUM_ATTEMPTS; default 1). */
  readonly attempts: number;
}

const DEFAULT_ENDPOINTS: Record<string, string> = {
  ipv4: "http://169.254.169.254",
  ipv6: "http://[fd00:ec2::254]",
};

type Env = Readonly<Record<string, string | undefined>>;

/** Pure: the IMDS settings from the standard environment variables (botocore's parsing, which is the strictest). */
export function imdsConfigFromEnv(env: Env): ImdsConfig {
  return {
    endpoint: resolveEndpoint(env),
    disabled: isTrue(env.AWS_EC2_METADATA_DISABLED),
    v1Disabled: isTrue(env.AWS_EC2_METADATA_V1_DISABLED),
    timeoutMs: positiveNumber(env, "AWS_METADATA_SERVICE_TIMEOUT", 1) * 1000,
    timeoutExplicit: Boolean(env.AWS_METADATA_SERVICE_TIMEOUT),
    attempts: Math.floor(positiveNumber(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", 1)),
  };
}

function resolveEndpoint(env: Env): string {
  const explicit = env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  const mode = env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE;
  // Checked even when the endpoint is given: a bad value is a mistake the user should hear of (exit 8).
  if (mode && !DEFAULT_ENDPOINTS[mode.toLowerCase()]) {
    throw new ConfigError(`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE '${mode}': expected IPv4 or IPv6`);
  }
  if (explicit) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new ConfigError(`AWS_EC2_METADATA_SERVICE_ENDPOINT '${explicit}': not a URL like http://169.254.169.254`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError(`AWS_EC2_METADATA_SERVICE_ENDPOINT '${explicit}': must be an http:// or https:// URL`);
    }
    return explicit.replace(/\/+$/, "");
  }
  return DEFAULT_ENDPOINTS[(mode || "ipv4").toLowerCase()]!;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === "true";
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} '${raw}': must be a positive number`);
  return n;
}
