/**
 * A bare first ROLE that is a near miss of a command name is refused before anything is asked of IMDS or
 * STS (issue 9). The command names come from the built CLI's own --help, so commands added later are
 * checked here without touching this test; a role name further from every command still goes to STS.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";

const sandbox = useSandbox();
const TIMEOUT = 30_000;

/** The command names --help lists. */
async function commandNames(): Promise<string[]> {
  const help = (await runCli(["--help"])).stdout.split("\n");
  const start = help.indexOf("Commands:");
  const names: string[] = [];
  for (const line of help.slice(start + 1)) {
    const m = /^  ([a-z][\w-]*)/.exec(line);
    if (line.trim() === "") break;
    if (m) names.push(m[1]!);
  }
  return names;
}

/** Typos a hand makes: a letter dropped, two neighbours swapped. */
const typos = (name: string) => [name.slice(0, -1), `${name[1]}${name[0]}${name.slice(2)}`];

describe("a ROLE that is a near miss of a command", () => {
  it("every command's typos are refused: exit 2, nothing on stdout, one line with the fix, no IMDS or STS request", async () => {
    const names = await commandNames();
    expect(names).toEqual(expect.arrayContaining(["whoami", "exec", "serve", "unset", "sandbox", "completion"]));
    for (const name of names) {
      for (const typo of typos(name).filter((t) => !names.includes(t))) {
        sandbox().resetCounts();
        const r = await runCli([typo], sandbox().env());
        expect({ typo, code: r.code, stdout: r.stdout }).toEqual({ typo, code: 2, stdout: "" });
        expect(r.stderr.split("\n")[0]).toMatch(/^assume-role: ROLE '.+': did you mean [\w-]+\? \(a role of that name: give its ARN\)$/);
        expect(r.stderr).toContain(`did you mean ${names.find((n) => r.stderr.includes(`mean ${n}?`)) ?? name}?`);
        expect(sandbox().counts).toEqual({ imds: {}, sts: {} });
      }
    }
  }, 240_000);

  it("a role name three edits from every command goes to STS as a role (execute: AssumeRole on role/execute)", async () => {
    const r = await runCli(["execute"], sandbox().env());
    expect(r.stderr).not.toContain("did you mean");
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual(["arn:aws:iam::123456789012:role/execute"]);
    expect(r.code).toBe(4);
  }, TIMEOUT);

  it.each(["Service", "Docker", "Consul", "Server"])("%s, a role name with a capital, goes to STS as a role (commands are lower case)", async (name) => {
    const r = await runCli([name], sandbox().env());
    expect(r.stderr).not.toContain("did you mean");
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual([`arn:aws:iam::123456789012:role/${name}`]);
  }, TIMEOUT);

  it("the same name given as an ARN is assumed as asked", async () => {
    const r = await runCli(["arn:aws:iam::123456789012:role/whomai"], sandbox().env());
    expect(r.stderr).not.toContain("did you mean");
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleArn)).toEqual(["arn:aws:iam::123456789012:role/whomai"]);
  }, TIMEOUT);

  it("a real role name works: ExampleAssumedRole exports credentials", async () => {
    const r = await runCli(["ExampleAssumedRole"], sandbox().env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=/m);
  }, TIMEOUT);
});
