/** STS errors with the codes, HTTP statuses and wording AWS uses (aws-protocol.md §2.5). */

export class StsError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: "Sender" | "Receiver";
  constructor(status: number, code: string, message: string, type: "Sender" | "Receiver" = "Sender") {
    super(message);
    this.name = "StsError";
    this.status = status;
    this.code = code;
    this.type = type;
  }
}

export const stsErrors = {
  accessDenied: (message: string) => new StsError(403, "AccessDenied", message),
  notAuthorized: (callerArn: string, action: string, resource: string) =>
    new StsError(
      403,
      "AccessDenied",
      `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`,
    ),
  validation: (message: string) => new StsError(400, "ValidationError", message),
  invalidClientTokenId: () =>
    new StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
  expiredToken: () => new StsError(400, "ExpiredToken", "The security token included in the request is expired"),
  signatureDoesNotMatch: (message?: string) =>
    new StsError(
      403,
      "SignatureDoesNotMatch",
      message ??
        "The request signature we calculated does not match the signature you provided. " +
          "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ),
  incompleteSignature: (message: string) => new StsError(400, "IncompleteSignature", message),
  missingAuthenticationToken: () =>
    new StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
  invalidAction: (action: string, version: string) =>
    new StsError(400, "InvalidAction", `Could not find operation ${action} for version ${version}`),
  invalidParameterValue: (message: string) => new StsError(400, "InvalidParameterValue", message),
  malformedPolicy: (message: string) => new StsError(400, "MalformedPolicyDocument", message),
  /** AssumeRoleWithWebIdentity: the token is malformed, from an unknown issuer, badly signed or for another audience. */
  invalidIdentityToken: (message: string) => new StsError(400, "InvalidIdentityToken", message),
  /** AssumeRoleWithWebIdentity: the web identity token (not a caller's session token) has expired. */
  expiredWebIdentityToken: (message: string) => new StsError(400, "ExpiredTokenException", message),
  idpRejectedClaim: (message: string) => new StsError(403, "IDPRejectedClaim", message),
  regionDisabled: (accountId: string) =>
    new StsError(
      403,
      "RegionDisabledException",
      `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console.`,
    ),
  throttling: () => new StsError(400, "Throttling", "Rate exceeded"),
  serviceUnavailable: () => new StsError(503, "ServiceUnavailable", "Service is unavailable", "Receiver"),
  internal: () =>
    new StsError(500, "InternalFailure", "The request processing has failed because of an unknown error.", "Receiver"),
};

/** One constraint violation, worded like AWS's model validation. */
export interface Violation {
  readonly member: string;
  readonly value: string | undefined;
  readonly constraint: string;
}

/** "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: …" (joined by "; "). */
export function validationError(violations: readonly Violation[]): StsError {
  const n = violations.length;
  const parts = violations.map((v) => {
    const value = v.value === undefined ? "null" : `'${v.value}'`;
    return `Value ${value} at '${v.member}' failed to satisfy constraint: ${v.constraint}`;
  });
  return stsErrors.validation(`${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}
