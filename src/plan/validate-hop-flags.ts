import { UsageError } from "../errors.js";

export interface HopFlags {
  readonly externalId?: string | undefined;
  readonly mfaSerial?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly transitiveTags?: readonly string[] | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

/** STS's parameter rules, checked before any call so that a typo costs no network round trip. */
const RULES: ReadonlyArray<[flag: string, pick: (f: HopFlags) => readonly string[], pattern: RegExp, rule: string]> = [
  ["--external-id", (f) => opt(f.externalId), /^[\w+=,.@:/-]{2,1224}$/, "2-1224 characters of letters, digits and +=,.@:/_-"],
  ["--mfa-serial", (f) => opt(f.mfaSerial), /^[\w+=/:,.@-]{9,256}$/, "a device serial or MFA ARN of 9-256 characters of letters, digits and +=/:,.@_-"],
  ["--source-identity", (f) => opt(f.sourceIdentity), /^(?!aws:)[\w+=,.@-]{2,64}$/, "2-64 characters of letters, digits and +=,.@_-, not starting with aws:"],
  ["--tag", (f) => (f.tags ?? []).map((t) => t.split("=")[0] ?? ""), /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "a key of 1-128 letters, digits, spaces and _.:/=+-@"],
  ["--transitive-tag", (f) => f.transitiveTags ?? [], /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "a tag key of 1-128 letters, digits, spaces and _.:/=+-@"],
  ["--policy-arn", (f) => f.policyArns ?? [], /^arn:aws[\w-]*:iam::(\d{12}|aws):policy\/.+$/, "a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)"],
];

export function validateHopFlags(flags: HopFlags): void {
  for (const [flag, pick, pattern, rule] of RULES) {
    for (const value of pick(flags)) {
      if (!pattern.test(value)) throw new UsageError(`${flag} '${value}': must be ${rule}`);
    }
  }
  if ((flags.tags?.length ?? 0) > 50) throw new UsageError("--tag: at most 50 session tags");
  if ((flags.policyArns?.length ?? 0) > 10) throw new UsageError("--policy-arn: at most 10 managed session policies");
}

function opt(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}
