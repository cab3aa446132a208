/**
 * The names of the sandbox's fault kinds. No imports: the CLI's `sandbox --help` lists them without
 * loading the sandbox.
 */

/**
 * What every STS request answers (after the throttled and 5xx ones), instead of a normal answer:
 * - `reset`: the connection is reset (TCP RST) without a response;
 * - `hang`: the request is read and never answered;
 * - `truncated`: the normal XML answer cut in half (a well-formed HTTP message with broken XML);
 * - `no-credentials`: HTTP 200 whose result lacks `Credentials` (GetCallerIdentity: lacks the identity);
 * - `html-502`: a proxy's HTTP 502 text/html page;
 * - `expired-credentials`: the normal answer, with credentials that expired an hour ago;
 * - `expired-token`: HTTP 400 `ExpiredToken` (the signing credentials have expired);
 * - `region-disabled`: HTTP 403 `RegionDisabledException`.
 */
export const STS_FAULT_KINDS = [
  "none",
  "reset",
  "hang",
  "truncated",
  "no-credentials",
  "html-502",
  "expired-credentials",
  "expired-token",
  "region-disabled",
] as const;
export type StsFaultKind = (typeof STS_FAULT_KINDS)[number];

/**
 * What IMDS answers instead of a normal answer:
 * - `garbage`: the credentials document cut short (not JSON);
 * - `code-not-success`: the credentials document with `"Code": "InternalError"` and no credentials;
 * - `expired`: the credentials document with credentials that expired an hour ago;
 * - `html`: every request (token PUT too) answers HTTP 200 with an HTML page, as a captive portal does.
 */
export const IMDS_FAULT_KINDS = ["none", "garbage", "code-not-success", "expired", "html"] as const;
export type ImdsFaultKind = (typeof IMDS_FAULT_KINDS)[number];
