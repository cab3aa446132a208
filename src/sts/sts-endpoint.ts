import { ConfigError } from "../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

/** AWS's own regional STS endpoint (China's regions end in .com.cn): named in messages when no endpoint is configured. */
export function regionalStsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/** AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL; checked up front so a typo is exit 8, not "STS unreachable". */
export function stsEndpointFromEnv(env: Env): string | undefined {
  return endpointFromEnv(env, "STS");
}

/** AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (the SDKs' service-specific endpoint variables). */
export function endpointFromEnv(env: Env, service: "STS" | "IAM"): string | undefined {
  for (const name of [`AWS_ENDPOINT_URL_${service}`, "AWS_ENDPOINT_URL"]) {
    const value = env[name];
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new ConfigError(`${name} '${value}': not an http:// or https:// URL`);
    }
    return value;
  }
  return undefined;
}
