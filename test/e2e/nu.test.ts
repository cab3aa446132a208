/**
 * `-f nu` in a REAL nushell, through the README's own `assume-role-env` function (read from README.md, so
 * the documented way is the tested way): the chain's credentials end up in nu's environment and work
 * against the sandbox STS; `assume-role-env unset` clears them. Skipped with the reason when nu is absent
 * (.ci/run installs the npm registry's nushell release in a prefix of its own and puts it on PATH).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, ROOT, spawnCollect } from "../helpers/cli.js";
import { cliBinDir } from "../helpers/pty.js";
import { useSandbox, identityOf } from "../helpers/sandbox.js";
import { missingShellReason } from "../helpers/shells.js";

const HOP1 = "arn:aws:iam::123456789012:role/ExampleAssumedRole";
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const missing = missingShellReason("nu");
if (missing) console.log(`[nu] SKIP the nushell end-to-end tests: ${missing}`);

/** The ```nu block of the README. */
function readmeFunction(): string {
  const block = /```nu\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, "README.md"), "utf8"))?.[1];
  if (block === undefined) throw new Error("README.md has no ```nu block");
  return block;
}

describe.skipIf(missing !== undefined)("-f nu in nushell, with the README's function", () => {
  const sandbox = useSandbox();

  async function nuEnvAfter(commands: string, env: Record<string, string>): Promise<Record<string, string>> {
    const dir = mkdtempSync(join(tmpdir(), "assume-role-nu-"));
    const fn = join(dir, "assume-role.nu");
    writeFileSync(fn, readmeFunction());
    const script = `source ${JSON.stringify(fn)}\n${commands}\n$env | reject -o PATH Path ENV_CONVERSIONS | transpose k v | where {|r| ($r.v | describe) == "string" } | reduce -f {} {|r, acc| $acc | insert $r.k $r.v } | to json -r`;
    const r = await spawnCollect("nu", ["--no-config-file", "-c", script], cleanEnv({ ...env, PATH: `${cliBinDir()}:${process.env.PATH}` }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  }

  it("assume-role-env ROLE ROLE: the chain's credentials in nu's environment, stale profile variables gone", async () => {
    const vars = await nuEnvAfter(`assume-role-env --source imds ${HOP1} ${HOP2}`, { ...sandbox().env(), AWS_PROFILE: "stale" });
    expect(vars.ASSUME_ROLE_ARN).toBe(HOP2);
    expect(vars.AWS_PROFILE).toBeUndefined();
    expect(vars.AWS_REGION).toBe("us-east-1");
    expect(await identityOf(sandbox(), vars)).toMatch(/^arn:aws:sts::222222222222:assumed-role\/CrossAccountRole\//);
  });

  it("assume-role-env unset clears what it set", async () => {
    const vars = await nuEnvAfter(`assume-role-env --source imds ${HOP1}\nassume-role-env unset`, sandbox().env());
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ASSUME_ROLE_ARN"]) expect(vars[name], name).toBeUndefined();
  });
});
