import type { Context } from "../context.js";
import { notYet } from "../sources/stub.js";
import type { Credentials } from "../types.js";

export interface WriteProfileRequest {
  readonly name: string;
  /** --credentials-file, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
  readonly path?: string | undefined;
  readonly credentials: Credentials;
  readonly force: boolean;
}

export interface WriteProfileResult {
  readonly path: string;
}

/** Replace section [name] of the credentials file, every other byte unchanged; atomic, locked, 0600. */
export async function writeProfile(ctx: Context, request: WriteProfileRequest): Promise<WriteProfileResult> {
  void ctx;
  return notYet(`--write-profile ${request.name}`);
}
