import { describe, expect, it } from "vitest";
import type { Context } from "../../src/context.js";
import { CliError, MfaRequiredError, UsageError } from "../../src/errors.js";
import { PromptClosedError } from "../../src/ui/ask-terminal.js";
import { createColours, NO_COLOURS, type Colours } from "../../src/ui/colours.js";
import { MFA_ATTEMPTS, mfaCodeProvider } from "../../src/ui/mfa-code.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const OTHER_SERIAL = "arn:aws:iam::123456789012:mfa/bob";
const ROLE = "arn:aws:iam::222222222222:role/MfaRole";

/** A Context whose terminal answers from a script (undefined: no terminal; an Error: thrown) and records the questions. */
function terminal(answers: Array<string | undefined | Error>, env: Record<string, string> = {}, colours: Colours = NO_COLOURS) {
  const questions: string[] = [];
  const ctx = {
    env,
    colours,
    askTerminal: async (question: string) => {
      questions.push(question);
      if (answers.length === 0) throw new Error(`unexpected question: ${question}`);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as Context;
  return { ctx, questions };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw new Error(`expected a CliError, got ${String(err)}`);
  return err;
}

describe("--mfa-token", () => {
  it.each(["12345", "1234567", "12345a", "12 345", " 123456", "", "１２３４５６"])("%j is refused when the provider is built (exit 2)", (token) => {
    const { ctx, questions } = terminal([]);
    let err: unknown;
    try {
      mfaCodeProvider(ctx, token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ exitCode: 2, message: "--mfa-token: must be the 6 digits your MFA device shows" });
    expect((err as CliError).hint).toContain("--mfa-token 123456");
    expect(questions).toEqual([]);
  });

  it("a valid token is the code of every serial, and the terminal is never asked", async () => {
    const { ctx, questions } = terminal([], { CI: "true" });
    const code = mfaCodeProvider(ctx, "012345");
    expect(await code(SERIAL, `role ${ROLE}`)).toBe("012345");
    expect(await code(OTHER_SERIAL, `role ${ROLE}`)).toBe("012345");
    expect(questions).toEqual([]);
  });
});

describe("asking on the terminal", () => {
  it("asks `MFA code for <serial>: ` and returns the answer", async () => {
    const { ctx, questions } = terminal(["123456"]);
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("123456");
    expect(questions).toEqual([`MFA code for ${SERIAL}: `]);
  });

  it("the prompt is bold and the retry line yellow when stderr takes colour (ctx.colours.err); the text is the same", async () => {
    const { ctx, questions } = terminal(["12345", "654321"], {}, createColours(0, 1));
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, ROLE)).toBe("654321");
    expect(questions).toEqual([
      `\x1b[1mMFA code for ${SERIAL}:\x1b[22m `,
      `\x1b[33mThat is not 6 digits; 2 tries left.\x1b[39m\n\x1b[1mMFA code for ${SERIAL}:\x1b[22m `,
    ]);
  });

  it("drops spaces an authenticator app shows inside the code", async () => {
    const { ctx } = terminal([" 123 456\t"]);
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("123456");
  });

  it("asks again after an answer that is not 6 digits, saying how many tries are left", async () => {
    const { ctx, questions } = terminal(["12345", "abcdef", "654321"]);
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("654321");
    expect(questions).toEqual([
      `MFA code for ${SERIAL}: `,
      `That is not 6 digits; 2 tries left.\nMFA code for ${SERIAL}: `,
      `That is not 6 digits; 1 try left.\nMFA code for ${SERIAL}: `,
    ]);
  });

  it(`gives up after ${MFA_ATTEMPTS} wrong shapes with exit 2`, async () => {
    const { ctx, questions } = terminal(["1", "12", "123"]);
    const err = await failure(mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`MFA code for ${SERIAL}: 3 answers in a row were not 6 digits`);
    expect(err.hint).toContain("--mfa-token");
    expect(questions).toHaveLength(MFA_ATTEMPTS);
  });

  it("asks once per serial in a run: a second hop with the same device reuses the code", async () => {
    const { ctx, questions } = terminal(["111111", "222222"]);
    const code = mfaCodeProvider(ctx, undefined);
    const [a, b] = await Promise.all([code(SERIAL, `role ${ROLE}`), code(SERIAL, "arn:aws:iam::222222222222:role/Other")]);
    expect([a, b, await code(SERIAL, `role ${ROLE}`)]).toEqual(["111111", "111111", "111111"]);
    expect(await code(OTHER_SERIAL, `role ${ROLE}`)).toBe("222222");
    expect(questions).toEqual([`MFA code for ${SERIAL}: `, `MFA code for ${OTHER_SERIAL}: `]);
  });

  it("separate runs (providers) ask separately", async () => {
    const { ctx, questions } = terminal(["111111", "222222"]);
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("111111");
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("222222");
    expect(questions).toHaveLength(2);
  });
});

describe("when nobody can answer", () => {
  const hint = `pass the code with --mfa-token CODE or a command that prints it with --mfa-process CMD (role ${ROLE} needs MFA device ${SERIAL})`;

  it("no terminal: exit 5 at once with the hint", async () => {
    const { ctx, questions } = terminal([undefined]);
    const err = await failure(mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`));
    expect(err).toBeInstanceOf(MfaRequiredError);
    expect(err).toMatchObject({ exitCode: 5, message: `MFA code needed for ${SERIAL} but there is no terminal to ask on`, hint });
    expect(questions).toHaveLength(1);
  });

  it.each(["true", "TRUE", "1", "yes"])("CI=%s: exit 5 without even trying the terminal", async (ci) => {
    const { ctx, questions } = terminal(["123456"], { CI: ci });
    const err = await failure(mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`));
    expect(err).toMatchObject({ exitCode: 5, message: `MFA code needed for ${SERIAL} and CI=true forbids prompting`, hint });
    expect(questions).toEqual([]);
  });

  it.each(["false", "0", ""])("CI=%j still asks", async (ci) => {
    const { ctx } = terminal(["123456"], { CI: ci });
    expect(await mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).toBe("123456");
  });

  it("the terminal input ends (Ctrl-D): exit 5 with the hint", async () => {
    const { ctx } = terminal([new PromptClosedError("end of input")]);
    const err = await failure(mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`));
    expect(err).toMatchObject({ exitCode: 5, message: `MFA code for ${SERIAL}: no code entered (end of input)`, hint });
  });

  it("any other terminal failure is not disguised as a user error", async () => {
    const boom = new Error("EBADF");
    const { ctx } = terminal([boom]);
    await expect(mfaCodeProvider(ctx, undefined)(SERIAL, `role ${ROLE}`)).rejects.toBe(boom);
  });
});
