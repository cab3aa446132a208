/**
 * The MFA prompt through a REAL pseudo-terminal: an interactive bash in a tmux pane runs
 * `eval "$(assume-role ...)"`, the test reads the prompt off the screen and types the code like a
 * person would. Proves the prompt goes to the controlling terminal (not stdout, not stderr), the
 * eval'd text stays clean, and Ctrl-C / wrong answers / CI=true behave.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bashEnvAfter, cleanEnv, shQuote } from "../helpers/cli.js";
import { cliBinDir, PANE_PS1, tmuxMissing, TmuxServer, waitForFile, type TmuxPane } from "../helpers/pty.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const MFA_ROLE = "arn:aws:iam::222222222222:role/MfaRole";
const PROMPT = `MFA code for ${SERIAL}:`;
const ASSUME = `assume-role --source env --mfa-serial ${SERIAL} ${MFA_ROLE}`;
/** Shell snippet: write the shell's environment as JSON to a file. */
const dumpEnv = (file: string) => `${shQuote(process.execPath)} -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.env))' ${file}`;

const missing = tmuxMissing();
if (missing) console.warn(`skipping the pseudo-terminal MFA tests: ${missing}`);

describe.skipIf(missing !== undefined)("MFA prompt on a real terminal (tmux)", () => {
  const sandbox = useSandbox();
  let server: TmuxServer;
  let dir: string;
  let n = 0;
  /** A fresh file name in the test's scratch directory. */
  const file = (name: string) => join(dir, `${++n}-${name}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "assume-role-pty-"));
    const keys = sandbox().userKeys("alice");
    // The sandbox lives in this process: its endpoints reach the pane through the server's environment.
    server = await TmuxServer.start(
      cleanEnv({
        ...sandbox().env(),
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        PATH: `${cliBinDir()}:${process.env.PATH}`,
      }),
    );
  });
  afterAll(async () => {
    await server?.kill();
  });

  /** A pane with its own empty credential cache, so every run really goes to STS (and asks). */
  const freshPane = () => server.newPane({ XDG_CACHE_HOME: mkdtempSync(join(dir, "cache-")) });

  const assumeRequests = () => sandbox().requests.filter((r) => r.action === "AssumeRole");

  /** Type `line`, then answer each MFA prompt with the next of `answers` as it appears on the screen. */
  async function answerPrompts(pane: TmuxPane, line: string, answers: string[]): Promise<void> {
    await pane.typeLine(line);
    for (const [i, answer] of answers.entries()) {
      await pane.waitForScreen(PROMPT, i + 1);
      await pane.typeLine(answer);
    }
  }

  it('eval "$(assume-role ...)" asks on the terminal and exports an MfaRole session', async () => {
    const pane = await freshPane();
    const [envFile, status] = [file("env.json"), file("status")];
    await answerPrompts(pane, `eval "$(${ASSUME})"; s=$?; ${dumpEnv(envFile)}; echo $s > ${status}`, ["123456"]);
    expect((await waitForFile(status)).trim()).toBe("0");

    const vars = JSON.parse(readFileSync(envFile, "utf8")) as Record<string, string>;
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/MfaRole\//);
    expect(vars.ASSUME_ROLE_ARN).toBe(MFA_ROLE);
    // The eval'd text was only exports: no prompt text leaked into any variable.
    for (const [name, value] of Object.entries(vars)) expect(value, name).not.toContain("MFA code");
    const hops = assumeRequests();
    expect(hops.map((h) => [h.status, h.params.RoleArn, h.params.SerialNumber, h.params.TokenCode])).toEqual([
      [200, MFA_ROLE, SERIAL, "123456"],
    ]);
    expect((await pane.screen()).split(PROMPT)).toHaveLength(2); // asked exactly once
  });

  it("the prompt reaches the terminal with stdout and stderr both redirected; stdout holds only exports", async () => {
    const pane = await freshPane();
    const [out, err, status] = [file("out.txt"), file("err.txt"), file("status")];
    await answerPrompts(pane, `${ASSUME} > ${out} 2> ${err}; echo $? > ${status}`, ["123456"]);
    expect((await waitForFile(status)).trim()).toBe("0");

    const stdout = readFileSync(out, "utf8");
    for (const l of stdout.trimEnd().split("\n")) expect(l).toMatch(/^(export [A-Z_]+='[^']*'|unset( [A-Z_]+)+)$/);
    expect(readFileSync(err, "utf8")).toBe("");
    const vars = await bashEnvAfter(`eval "$(cat ${out})"`, cleanEnv(sandbox().env()));
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/MfaRole\//);
  });

  it("an answer that is not 6 digits is asked again (spaces allowed), then the code goes to STS", async () => {
    const pane = await freshPane();
    const [out, status] = [file("out.txt"), file("status")];
    await answerPrompts(pane, `${ASSUME} > ${out}; echo $? > ${status}`, ["12345", "123 456"]);
    expect((await waitForFile(status)).trim()).toBe("0");
    expect(await pane.screen()).toContain("That is not 6 digits; 2 tries left.");
    expect(assumeRequests().map((h) => [h.status, h.params.TokenCode])).toEqual([[200, "123456"]]);
  });

  it("three answers that are not 6 digits: exit 2, nothing on stdout, no STS call", async () => {
    const pane = await freshPane();
    const [out, err, status] = [file("out.txt"), file("err.txt"), file("status")];
    await answerPrompts(pane, `${ASSUME} > ${out} 2> ${err}; echo $? > ${status}`, ["12345", "abcdef", "1234567"]);
    expect((await waitForFile(status)).trim()).toBe("2");
    expect(readFileSync(out, "utf8")).toBe("");
    expect(readFileSync(err, "utf8")).toContain(`assume-role: MFA code for ${SERIAL}: 3 answers in a row were not 6 digits\n  hint: `);
    const screen = await pane.screen();
    expect(screen).toContain("2 tries left.");
    expect(screen).toContain("1 try left.");
    expect(sandbox().requests).toEqual([]);
  });

  it("Ctrl-C at the prompt: the shell abandons the line (status 130), nothing exported, terminal still echoes", async () => {
    const pane = await freshPane();
    const [reached, envFile, stty, status] = [file("reached"), file("env.json"), file("stty.txt"), file("status")];
    await pane.typeLine(`eval "$(${ASSUME})"; echo reached > ${reached}`);
    await pane.waitForScreen(PROMPT);
    await pane.keys("C-c");
    await pane.waitForScreen(PANE_PS1.trim(), 2); // back at the shell prompt
    await pane.typeLine(`s=$?; stty -a > ${stty}; ${dumpEnv(envFile)}; echo $s > ${status}`);
    expect((await waitForFile(status)).trim()).toBe("130");
    expect(existsSync(reached)).toBe(false);
    const vars = JSON.parse(readFileSync(envFile, "utf8")) as Record<string, string>;
    expect(vars.AWS_SESSION_TOKEN).toBeUndefined();
    expect(vars.ASSUME_ROLE_ARN).toBeUndefined();
    expect(readFileSync(stty, "utf8")).toMatch(/(^|\s)echo(\s|$)/);
    expect(readFileSync(stty, "utf8")).toMatch(/(^|\s)icanon(\s|$)/);
    expect(assumeRequests()).toEqual([]);
  });

  it("Ctrl-D at the prompt: exit 5 with the hint, nothing on stdout", async () => {
    const pane = await freshPane();
    const [out, err, status] = [file("out.txt"), file("err.txt"), file("status")];
    await pane.typeLine(`${ASSUME} > ${out} 2> ${err}; echo $? > ${status}`);
    await pane.waitForScreen(PROMPT);
    await pane.keys("C-d");
    expect((await waitForFile(status)).trim()).toBe("5");
    expect(readFileSync(out, "utf8")).toBe("");
    expect(readFileSync(err, "utf8")).toBe(
      `assume-role: MFA code for ${SERIAL}: no code entered (end of input)\n` +
        `  hint: pass the code with --mfa-token CODE or a command that prints it with --mfa-process CMD (role ${MFA_ROLE} needs MFA device ${SERIAL})\n`,
    );
    expect(assumeRequests()).toEqual([]);
  });

  it("CI=true: exit 5 at once even with a terminal, and no prompt on it", async () => {
    const pane = await freshPane();
    const [out, err, status] = [file("out.txt"), file("err.txt"), file("status")];
    await pane.typeLine(`CI=true ${ASSUME} > ${out} 2> ${err}; echo $? > ${status}`);
    expect((await waitForFile(status)).trim()).toBe("5");
    expect(await pane.screen()).not.toContain("MFA code for");
    expect(readFileSync(out, "utf8")).toBe("");
    expect(readFileSync(err, "utf8")).toContain("CI=true forbids prompting\n  hint: pass the code with --mfa-token CODE");
    expect(sandbox().requests).toEqual([]);
  });

  it("askTerminal itself uses neither stdin nor stdout, and lets the process exit after the answer", async () => {
    const pane = await freshPane();
    const [answer, out, status] = [file("answer.json"), file("out.txt"), file("status")];
    const module = new URL("../../dist/ui/ask-terminal.js", import.meta.url).href;
    const script = `import(${JSON.stringify(module)}).then((m) => m.askTerminal("Favourite colour? ")).then((a) => require("fs").writeFileSync(process.argv[1], JSON.stringify(a)))`;
    await pane.typeLine(`${shQuote(process.execPath)} -e ${shQuote(script)} ${answer} < /dev/null > ${out}; echo $? > ${status}`);
    await pane.waitForScreen("Favourite colour? ");
    await pane.typeLine("dark blue");
    expect((await waitForFile(status)).trim()).toBe("0"); // the fd was closed: nothing kept the process alive
    expect(JSON.parse(readFileSync(answer, "utf8"))).toBe("dark blue");
    expect(readFileSync(out, "utf8")).toBe("");
  });
});
