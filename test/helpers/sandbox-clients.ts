/** Shared pieces for the sandbox integration tests (clients talk to the real servers on 127.0.0.1). */
import { STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";

/** A clock the test moves by hand; `offsetMs` is how far it is ahead of the real clock. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export async function imdsToken(sandbox: Sandbox, ttl = "21600"): Promise<string> {
  const res = await fetch(`${sandbox.imdsEndpoint}/latest/api/token`, {
    method: "PUT",
    headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl },
  });
  expect(res.status).toBe(200);
  return res.text();
}

export async function imdsGet(sandbox: Sandbox, path: string, token?: string): Promise<Response> {
  return fetch(`${sandbox.imdsEndpoint}${path}`, {
    headers: token === undefined ? {} : { "x-aws-ec2-metadata-token": token },
  });
}

/** The instance-role credentials, fetched like an SDK does (IMDSv2). */
export async function instanceCreds(sandbox: Sandbox): Promise<Creds> {
  const token = await imdsToken(sandbox);
  const role = await (await imdsGet(sandbox, "/latest/meta-data/iam/security-credentials/", token)).text();
  const doc = (await (await imdsGet(sandbox, `/latest/meta-data/iam/security-credentials/${role}`, token)).json()) as {
    AccessKeyId: string;
    SecretAccessKey: string;
    Token: string;
  };
  return { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.Token };
}

export function stsClient(
  sandbox: Sandbox,
  credentials: Creds,
  opts: { clock?: TestClock; config?: Partial<STSClientConfig> } = {},
): STSClient {
  return new STSClient({
    region: "us-east-1",
    endpoint: sandbox.stsEndpoint,
    credentials,
    // Sign with the sandbox clock, as a client whose clock agrees with the server's would.
    systemClockOffset: opts.clock?.offsetMs ?? 0,
    ...opts.config,
  });
}

/** Credentials of an AssumeRole result, as the next hop uses them. */
interface AssumeRoleLike {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
}

export function credsOf(out: AssumeRoleLike): Creds {
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new Error("no credentials in the result");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export interface ObservedError {
  name: string;
  message: string;
  status: number | undefined;
  attempts: number | undefined;
}

/** Run a call that must fail and return what the SDK surfaced. */
export async function failure(promise: Promise<unknown>): Promise<ObservedError> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
