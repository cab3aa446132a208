import { UsageError } from "../errors.js";

export interface HopFlags {
  readonly externalId?: string | undefined;
  readonly mfaSerial?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

/** STS's parameter rules, checked before any call so that a typo costs no network round trip. */
const RULES: ReadonlyArray<[flag: string, pick: (f: HopFlags) => readonly string[], pattern: RegExp, rule: string]> = [
  ["--external-id", (f) => opt(f.externalId), /^[\w+=,.@:/-]{2,1224}$/, "2-1224 characters of letters, digits and +=,.@:/_-"],
  ["--mfa-serial", (f) => opt(f.mfaSerial), /^[\w+=/:,.@-]{9,256}$/, "a device serial or MFA ARN of 9-256 characters of letters, digits and +=/:,.@_-"],
  ["--source-identity", (f) => opt(f.sourceIdentity), /^(?!aws:)[\w+=,.@-]{2,64}$/, "2-64 characters of letters, digits and +=,.@_-, not starting with aws:"],
  [
    "--policy-arn",
    (f) => f.policyArns ?? [],
    /^(?=.{20,2048}$)arn:aws(?:-[a-z]+)*:iam::(?:\d{12}|aws):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/,
    "an IAM managed policy ARN (arn:PARTITION:iam::ACCOUNT:policy/NAME, or aws for an AWS managed policy)",
  ],
];

export function validateHopFlags(flags: HopFlags): void {
  for (const [flag, pick, pattern, rule] of RULES) {
    for (const value of pick(flags)) {
      if (!pattern.test(value)) throw new UsageError(`${flag} '${value}': must be ${rule}`);
    }
  }
  const arns = flags.policyArns?.length ?? 0;
  if (arns > 10) throw new UsageError(`--policy-arn: ${arns} policies; AWS allows at most 10 managed session policies`);
}

function opt(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}
