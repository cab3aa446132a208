/**
 * `assume-role exec ROLE` with no command, on a REAL terminal: the user's $SHELL starts interactive (it
 * shows its prompt and reads what is typed), holds the chain's credentials and ASSUME_ROLE_ARN, and its
 * exit status comes back as assume-role's when it is left.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { cliBinDir, tmuxMissing, TmuxServer, waitForFile } from "../helpers/pty.js";
import { useSandbox } from "../helpers/sandbox.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const INNER_PS1 = "inner> ";

const missing = tmuxMissing();
if (missing) console.warn(`skipping the exec-opens-a-shell terminal test: ${missing}`);

describe.skipIf(missing !== undefined)("exec without a command on a terminal (tmux)", () => {
  const sandbox = useSandbox();
  let server: TmuxServer;
  beforeAll(async () => {
    server = await TmuxServer.start(cleanEnv({ ...sandbox().env(), PATH: `${cliBinDir()}:${process.env.PATH}` }));
  });
  afterAll(async () => {
    await server?.kill();
  });

  it("starts $SHELL interactive with the credentials; `exit 5` in it is assume-role's exit status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-exec-shell-"));
    const status = join(dir, "status");
    // The inner shell is bash reading no rc file, with its own prompt so the test sees it start.
    const inner = join(dir, "inner-bash");
    writeFileSync(inner, `#!/bin/sh\nexec env PS1='${INNER_PS1}' bash --norc --noprofile\n`, { mode: 0o755 });
    const pane = await server.newPane();
    // tmux sets SHELL for its panes itself: name the user's shell on the command line.
    await pane.typeLine(`SHELL=${inner} assume-role exec --source imds ${HOP1}; echo "status=$?" > ${status}`);
    await pane.waitForScreen(INNER_PS1);
    await pane.typeLine('echo "arn=$ASSUME_ROLE_ARN prefix=${AWS_ACCESS_KEY_ID:0:4} token=${AWS_SESSION_TOKEN:+set}"');
    const screen = await pane.waitForScreen(`arn=${HOP1} prefix=ASIA token=set`);
    expect(screen).toMatch(new RegExp(`assume-role: starting \\S+inner-bash as ${HOP1}, until \\S+Z; exit it to return`));
    await pane.typeLine("exit 5");
    expect((await waitForFile(status)).trim()).toBe("status=5");
  }, 60_000);
});
