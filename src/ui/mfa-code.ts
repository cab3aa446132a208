import type { Context } from "../context.js";
import type { MfaCommand } from "../types.js";
import { MfaRequiredError, UsageError } from "../errors.js";
import { runMfaProcess } from "./mfa-process.js";
import { PromptClosedError } from "./prompt-closed-error.js";

const CODE = /^\d{6}$/;
/** Answers at the terminal that may miss the 6-digit shape before the run gives up (exit 2). */
export const MFA_ATTEMPTS = 3;

/** The MFA code for `serial`: `forWhat` names who needs it in messages (`role ARN`, `the MFA session of profile X`). */
export type MfaCode = (serial: string, forWhat: string, process?: MfaCommand) => Promise<string>;

/**
 * The MFA code for a hop or the MFA session: --mfa-token when given (its shape is checked here, when the chain's
 * dependencies are wired, so before any source is resolved or STS is called), else the planned command's output
 * (--mfa-process or the profile's mfa_process), else asked on the controlling terminal; with no terminal, or
 * CI=true, fail at once with exit 5. Each serial is asked at most once per run: a second step with the same device
 * reuses the answer.
 */
export function mfaCodeProvider(ctx: Context, mfaToken: string | undefined): MfaCode {
  if (mfaToken !== undefined && !CODE.test(mfaToken)) {
    throw new UsageError("--mfa-token: must be the 6 digits your MFA device shows", {
      hint: "pass the current code, e.g. --mfa-token 123456, or leave --mfa-token out to be asked on the terminal",
    });
  }
  const answers = new Map<string, Promise<string>>();
  return (serial, forWhat, process) => {
    if (mfaToken !== undefined) return Promise.resolve(mfaToken);
    let code = answers.get(serial);
    if (code === undefined) {
      code = process !== undefined ? runMfaProcess(ctx, process, serial) : askCode(ctx, serial, forWhat);
      answers.set(serial, code);
    }
    return code;
  };
}

async function askCode(ctx: Context, serial: string, forWhat: string): Promise<string> {
  const howTo = `pass the code with --mfa-token CODE or a command that prints it with --mfa-process CMD (${forWhat} needs MFA device ${serial})`;
  if (isTrue(ctx.env.CI)) throw new MfaRequiredError(`MFA code needed for ${serial} and CI=true forbids prompting`, { hint: howTo });
  const c = ctx.colours.err;
  const prompt = `${c.bold(`MFA code for ${serial}:`)} `;
  let question = prompt;
  for (let attempt = 1; ; attempt++) {
    let answer: string | undefined;
    try {
      answer = await ctx.askTerminal(question);
    } catch (err) {
      if (!(err instanceof PromptClosedError)) throw err;
      throw new MfaRequiredError(`MFA code for ${serial}: no code entered (${err.reason})`, { hint: howTo, cause: err });
    }
    if (answer === undefined) throw new MfaRequiredError(`MFA code needed for ${serial} but there is no terminal to ask on`, { hint: howTo });
    // Authenticator apps show "123 456": spaces are not part of the code.
    const code = answer.replace(/\s+/g, "");
    if (CODE.test(code)) return code;
    const left = MFA_ATTEMPTS - attempt;
    if (left === 0) {
      throw new UsageError(`MFA code for ${serial}: ${MFA_ATTEMPTS} answers in a row were not 6 digits`, {
        hint: "type the 6 digits your MFA device shows now, or pass them with --mfa-token CODE",
      });
    }
    question = `${c.yellow(`That is not 6 digits; ${left} ${left === 1 ? "try" : "tries"} left.`)}\n${prompt}`;
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes"].includes(value.toLowerCase());
}
