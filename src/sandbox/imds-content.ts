/** What IMDS answers for each GET path (pure: the instance, the current credentials and a clock). */
import type { ImdsFaultKind } from "./faults.js";
import type { Instance } from "./world.js";
import type { InstanceCredentialResult } from "./instance-credentials.js";
import { isoSeconds } from "./sts-xml.js";

export interface ImdsContentContext {
  readonly instance: Instance;
  /** When the sandbox started: instance launch time and instance-profile LastUpdated. */
  readonly startedAt: Date;
  readonly credentials: (now: Date) => InstanceCredentialResult | undefined;
  readonly now: Date;
  /** The imdsFault in force: how the credentials document is spoiled. */
  readonly fault?: ImdsFaultKind | undefined;
}

function metaDataListing(iam: string | undefined): string {
  return lines(["ami-id", "hostname", iam, "instance-id", "instance-type", "local-ipv4", "placement/"]);
}

/** Body served for a path, or undefined for 404. */
export function imdsContent(path: string, ctx: ImdsContentContext): string | undefined {
  const i = ctx.instance;
  const hasProfile = i.instanceProfileArn !== undefined;
  const iam = hasProfile ? "iam/" : undefined;
  const credentialsDir = i.roleName === undefined ? undefined : "security-credentials/";
  const simple: Record<string, string | undefined> = {
    "/latest/meta-data/": metaDataListing(iam),
    "/latest/meta-data/ami-id": i.imageId,
    "/latest/meta-data/hostname": hostname(i),
    "/latest/meta-data/instance-id": i.instanceId,
    "/latest/meta-data/instance-type": i.instanceType,
    "/latest/meta-data/local-ipv4": i.privateIp,
    "/latest/meta-data/placement/": lines(["availability-zone", "region"]),
    "/latest/meta-data/placement/availability-zone": i.availabilityZone,
    "/latest/meta-data/placement/region": i.region,
    "/latest/meta-data/iam/": hasProfile ? lines(["info", credentialsDir]) : undefined,
    "/latest/meta-data/iam/info": hasProfile ? iamInfo(ctx) : undefined,
    "/latest/meta-data/iam/security-credentials/": i.roleName,
    "/latest/dynamic/instance-identity/": lines(["document"]),
    "/latest/dynamic/instance-identity/document": identityDocument(ctx),
  };
  if (Object.hasOwn(simple, path)) return simple[path];
  const prefix = "/latest/meta-data/iam/security-credentials/";
  if (i.roleName !== undefined && path === prefix + i.roleName) return credentialsDocument(ctx);
  return undefined;
}

function lines(items: readonly (string | undefined)[]): string {
  return items.filter((x): x is string => x !== undefined).join("\n");
}

function hostname(i: Instance): string {
  const suffix = i.region === "us-east-1" ? "ec2.internal" : `${i.region}.compute.internal`;
  return `ip-${i.privateIp.replace(/\./g, "-")}.${suffix}`;
}

function iamInfo(ctx: ImdsContentContext): string {
  return pretty({
    Code: "Success",
    LastUpdated: isoSeconds(ctx.startedAt),
    InstanceProfileArn: ctx.instance.instanceProfileArn,
    InstanceProfileId: ctx.instance.instanceProfileId,
  });
}

function credentialsDocument(ctx: ImdsContentContext): string | undefined {
  const result = ctx.credentials(ctx.now);
  if (result === undefined) return undefined;
  if (!result.ok) return pretty({ Code: result.code, Message: result.message, LastUpdated: isoSeconds(ctx.now) });
  const s = result.session;
  if (ctx.fault === "code-not-success") {
    return pretty({ Code: "InternalError", Message: "The instance profile credentials are not available.", LastUpdated: isoSeconds(ctx.now) });
  }
  const expired = ctx.fault === "expired";
  const document = pretty({
    Code: "Success",
    LastUpdated: isoSeconds(expired ? new Date(ctx.now.getTime() - 7 * 3600_000) : s.issuedAt),
    Type: "AWS-HMAC",
    AccessKeyId: s.accessKeyId,
    SecretAccessKey: s.secretAccessKey,
    Token: s.sessionToken,
    Expiration: isoSeconds(expired ? new Date(ctx.now.getTime() - 3600_000) : s.expiration),
  });
  // garbage: cut off before the secret, so it is not JSON.
  return ctx.fault === "garbage" ? document.slice(0, document.indexOf('"SecretAccessKey"')) : document;
}

function identityDocument(ctx: ImdsContentContext): string {
  const i = ctx.instance;
  return pretty({
    accountId: i.accountId,
    architecture: i.architecture,
    availabilityZone: i.availabilityZone,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: i.imageId,
    instanceId: i.instanceId,
    instanceType: i.instanceType,
    kernelId: null,
    pendingTime: isoSeconds(ctx.startedAt),
    privateIp: i.privateIp,
    ramdiskId: null,
    region: i.region,
    version: "2017-09-30",
  });
}

/** IMDS pretty-prints its JSON documents. */
function pretty(value: object): string {
  return JSON.stringify(value, null, 2);
}
