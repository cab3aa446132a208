import type { Context } from "../context.js";
import { MfaRequiredError, UsageError } from "../errors.js";

const CODE = /^\d{6}$/;

/**
 * The MFA code for a hop: --mfa-token when given (checked for shape before any STS call), else asked
 * on the controlling terminal; with no terminal, or CI=true, fail at once with exit 5.
 */
export function mfaCodeProvider(ctx: Context, mfaToken: string | undefined): (serial: string, roleArn: string) => Promise<string> {
  if (mfaToken !== undefined && !CODE.test(mfaToken)) {
    throw new UsageError("--mfa-token: must be the 6 digits your MFA device shows");
  }
  return async (serial, roleArn) => {
    if (mfaToken !== undefined) return mfaToken;
    const howTo = `pass the code with --mfa-token CODE (role ${roleArn} needs MFA device ${serial})`;
    if (isTrue(ctx.env.CI)) throw new MfaRequiredError(`MFA code needed for ${serial} and CI=true forbids prompting`, { hint: howTo });
    const answer = await ctx.askTerminal(`MFA code for ${serial}: `);
    if (answer === undefined) throw new MfaRequiredError(`MFA code needed for ${serial} but there is no terminal to ask on`, { hint: howTo });
    const code = answer.trim();
    if (!CODE.test(code)) throw new UsageError(`MFA code for ${serial}: must be 6 digits`);
    return code;
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes"].includes(value.toLowerCase());
}
