/**
 * `whoami` through the built CLI against the sandbox: --chain shows the source and every hop from what the chain
 * produced (no STS request beyond the chain's own and one GetCallerIdentity), --json is stable and never coloured,
 * and with no ROLE it describes the environment's credentials, recognising its own exports after a real `eval`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bashEnvAfter, BIN, cleanEnv, runCli, shQuote, spawnCollect, type RunResult } from "../helpers/cli.js";
import { useSandbox } from "../helpers/sandbox.js";
import { keysSection, profileFiles } from "../fixtures/profiles/profile-files.js";

const A = "123456789012";
const HOP1 = `arn:aws:iam::${A}:role/ExampleAssumedRole`;
const HOP2 = "arn:aws:iam::222222222222:role/CrossAccountRole";
const INSTANCE = "i-0123456789abcdef0";
const SESSION1 = `arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${INSTANCE}`;
const SESSION2 = `arn:aws:sts::222222222222:assumed-role/CrossAccountRole/${INSTANCE}`;
const ESC = "\x1b";
const sandbox = useSandbox();

/** The STS actions the run made, in order. */
const actions = () => sandbox().requests.map((q) => q.action);

function ok(r: RunResult): void {
  expect(r.stderr, "stderr").toBe("");
  expect(r.code).toBe(0);
}

interface HopJson {
  Hop: number;
  Role: string;
  From: string;
  RoleArn: string | null;
  SessionName: string | null;
  AssumedRoleArn: string | null;
  Account: string | null;
  Region: string | null;
  Expiration: string | null;
  SecondsLeft: number | null;
}

function json(r: RunResult): Record<string, any> {
  ok(r);
  expect(r.stdout).not.toContain(ESC);
  return JSON.parse(r.stdout) as Record<string, any>;
}

/** A fresh cache directory: the runs of one test share it, no other test sees it. */
function cacheHome(): string {
  return mkdtempSync(join(tmpdir(), "assume-role-whoami-cache-"));
}

describe("whoami --chain: two hops from IMDS", () => {
  it("prints the source (the instance profile's role) and each hop, with one GetCallerIdentity on top of the chain's requests", async () => {
    const r = await runCli(["whoami", "--chain", HOP1, HOP2], sandbox().env());
    ok(r);
    expect(actions()).toEqual(["AssumeRole", "AssumeRole", "GetCallerIdentity"]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(SESSION2);
    expect(lines[1]).toMatch(/^source +IMDS, instance profile role ExampleRole, key ASIA…\w{4}$/);
    expect(lines[2]).toMatch(/^ +expires +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+h\d+m left\)$/);
    expect(lines.slice(3, 10)).toEqual([
      `hop 1    ${HOP1}`,
      `         session  ${INSTANCE}`,
      `         as       ${SESSION1}`,
      `         account  ${A}`,
      "         region   us-east-1",
      expect.stringMatching(/^ +expires +\S+Z \((59m|1h) left\)$/),
      "         from     STS",
    ]);
    expect(lines.slice(10, 17)).toEqual([
      `hop 2    ${HOP2}`,
      `         session  ${INSTANCE}`,
      `         as       ${SESSION2}`,
      "         account  222222222222",
      "         region   us-east-1",
      expect.stringMatching(/^ +expires +\S+Z \((59m|1h) left\)$/),
      "         from     STS",
    ]);
    expect(lines.slice(17)).toEqual([""]);
    // The secrets of the source and of every hop appear nowhere.
    for (const q of sandbox().requests) expect(r.stdout).not.toContain(q.accessKeyId!.slice(4));
  });

  it("--json gives the hops as an array with stable fields, matching what STS issued", async () => {
    const out = json(await runCli(["whoami", "--chain", "--json", HOP1, HOP2], sandbox().env()));
    expect(Object.keys(out)).toEqual(["Account", "Arn", "UserId", "Expiration", "SecondsLeft", "MadeBy", "Source", "Hops"]);
    expect(out).toMatchObject({ Account: "222222222222", Arn: SESSION2, MadeBy: null });
    expect(out.Source).toMatchObject({ Kind: "imds", Profile: null, Role: "ExampleRole", Asked: true });
    expect(out.Source.AccessKeyId).toMatch(/^ASIA…\w{4}$/);
    const hops = out.Hops as HopJson[];
    expect(hops.map((h) => [h.Hop, h.Role, h.From, h.RoleArn, h.SessionName, h.AssumedRoleArn, h.Account, h.Region])).toEqual([
      [1, HOP1, "sts", HOP1, INSTANCE, SESSION1, A, "us-east-1"],
      [2, HOP2, "sts", HOP2, INSTANCE, SESSION2, "222222222222", "us-east-1"],
    ]);
    for (const h of hops) {
      expect(h.SecondsLeft).toBeGreaterThan(3000);
      expect(h.SecondsLeft).toBeLessThanOrEqual(3600);
      expect(Date.parse(h.Expiration!)).toBeGreaterThan(Date.now());
    }
    expect(out.Expiration).toBe(hops[1]!.Expiration);
  });

  it("a bare role name is shown as planned and as completed", async () => {
    const out = json(await runCli(["whoami", "--chain", "--json", "ExampleAssumedRole"], sandbox().env()));
    expect((out.Hops as HopJson[]).map((h) => [h.Role, h.RoleArn])).toEqual([["ExampleAssumedRole", HOP1]]);
  });

  it("colours the text for people when asked (FORCE_COLOR), never the JSON nor the ARN line that $(...) captures", async () => {
    const env = { ...sandbox().env(), FORCE_COLOR: "1" };
    const text = await runCli(["whoami", "--chain", HOP1], env);
    ok(text);
    expect(text.stdout).toContain(ESC);
    expect(text.stdout.split("\n")[0]).toBe(SESSION1);
    const bare = await runCli(["whoami", HOP1], env);
    expect(bare.stdout).toBe(`${SESSION1}\n`);
    const out = await runCli(["whoami", "--chain", "--json", HOP1], env);
    expect(json(out).Arn).toBe(SESSION1);
    const piped = await runCli(["whoami", "--chain", HOP1], sandbox().env());
    ok(piped);
    expect(piped.stdout).not.toContain(ESC);
  });
});

describe("whoami --chain from other sources", () => {
  it("environment keys: names the key (masked), never the secret", async () => {
    const keys = sandbox().userKeys("alice");
    const env = { ...sandbox().env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    const r = await runCli(["whoami", "--chain", HOP1], env);
    ok(r);
    expect(r.stdout).toContain(`source   environment keys, key ${keys.accessKeyId.slice(0, 4)}…${keys.accessKeyId.slice(-4)}\n`);
    expect(r.stdout).not.toContain(keys.secretAccessKey);
    expect(r.stdout.split("\n")[0]).toBe(`arn:aws:sts::${A}:assumed-role/ExampleAssumedRole/${r.stdout.split("\n")[3]!.replace(/^ +session +/, "")}`);
    const out = json(await runCli(["whoami", "--chain", "--json", "--no-cache", HOP1, HOP2], env));
    expect(out.Source).toMatchObject({ Kind: "env", Asked: true, Expiration: null, SecondsLeft: null });
    expect((out.Hops as HopJson[]).map((h) => [h.RoleArn, h.From])).toEqual([
      [HOP1, "sts"],
      [HOP2, "sts"],
    ]);
  });

  it("a profile: its name, its keys (masked), its role_arn hop, then the command line's", async () => {
    const keys = sandbox().userKeys("alice");
    const files = profileFiles(`[profile deploy]\nrole_arn = ${HOP1}\nsource_profile = alice\nrole_session_name = from-profile\n`, keysSection("alice", keys));
    const out = json(await runCli(["whoami", "--chain", "--json", "--profile", "deploy", HOP2], { ...sandbox().env(), ...files }));
    expect(out.Source).toMatchObject({ Kind: "static", Profile: "alice", AccessKeyId: `${keys.accessKeyId.slice(0, 4)}…${keys.accessKeyId.slice(-4)}`, Asked: true });
    const [hop1, hop2] = out.Hops as HopJson[];
    expect([hop1!.RoleArn, hop1!.SessionName, hop1!.From, hop2!.RoleArn, hop2!.From]).toEqual([HOP1, "from-profile", "sts", HOP2, "sts"]);
    // The sessions are the ones STS issued, hop by hop.
    expect(sandbox().requests.filter((q) => q.action === "AssumeRole").map((q) => q.params.RoleSessionName)).toEqual(["from-profile", hop2!.SessionName]);
    expect(out.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/CrossAccountRole\//);
    expect(actions()).toEqual(["AssumeRole", "AssumeRole", "GetCallerIdentity"]);
  });
});

describe("whoami --chain with the cache", () => {
  it("a second run says every hop came from the cache, asks STS only who the result is, and never asked the source", async () => {
    const cache = cacheHome();
    try {
      const env = { ...sandbox().env(), XDG_CACHE_HOME: cache };
      json(await runCli(["whoami", "--chain", "--json", HOP1, HOP2], env));
      sandbox().resetCounts();
      const out = json(await runCli(["whoami", "--chain", "--json", HOP1, HOP2], env));
      expect(actions()).toEqual(["GetCallerIdentity"]);
      expect(sandbox().counts.imds).toEqual({});
      expect(out.Source).toMatchObject({ Kind: "imds", Asked: false, Role: null, AccessKeyId: null });
      expect((out.Hops as HopJson[]).map((h) => [h.RoleArn, h.AssumedRoleArn, h.From])).toEqual([
        [HOP1, SESSION1, "cache"],
        [HOP2, SESSION2, "cache"],
      ]);
      const text = await runCli(["whoami", "--chain", HOP1, HOP2], env);
      ok(text);
      expect(text.stdout).toContain("source   IMDS (not asked: hop 1 came from the cache)\n");
      expect(text.stdout.match(/^ +from +the cache \(cached\)$/gm)).toHaveLength(2);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a cached first hop under a new second: hop 1 from the cache, hop 2 from STS", async () => {
    const cache = cacheHome();
    try {
      const env = { ...sandbox().env(), XDG_CACHE_HOME: cache };
      ok(await runCli(["whoami", HOP1], env));
      sandbox().resetCounts();
      const out = json(await runCli(["whoami", "--chain", "--json", HOP1, HOP2], env));
      expect(actions()).toEqual(["AssumeRole", "GetCallerIdentity"]);
      expect((out.Hops as HopJson[]).map((h) => [h.RoleArn, h.From])).toEqual([
        [HOP1, "cache"],
        [HOP2, "sts"],
      ]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a hop the cache no longer holds, before one it does, is shown as not needed", async () => {
    const cache = cacheHome();
    try {
      const env = { ...sandbox().env(), XDG_CACHE_HOME: cache };
      ok(await runCli([HOP1, HOP2], env));
      const dir = join(cache, "assume-role");
      const first = readdirSync(dir).find((f) => f.endsWith(".json") && JSON.parse(readFileSync(join(dir, f), "utf8")).roleArn === HOP1);
      rmSync(join(dir, first!));
      const out = json(await runCli(["whoami", "--chain", "--json", HOP1, HOP2], env));
      expect((out.Hops as HopJson[])[0]).toEqual({
        Hop: 1,
        Role: HOP1,
        From: "unknown",
        RoleArn: null,
        SessionName: null,
        AssumedRoleArn: null,
        Account: null,
        Region: null,
        Expiration: null,
        SecondsLeft: null,
      });
      const text = await runCli(["whoami", "--chain", HOP1, HOP2], env);
      expect(text.stdout).toContain(`hop 1    ${HOP1}\n         from     not needed: hop 2 came from the cache, which holds nothing for this one\n`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("whoami with no ROLE: the environment's credentials", () => {
  const cli = `${shQuote(process.execPath)} ${shQuote(BIN)}`;

  /** Run `script` in real bash (with the sandbox's variables) and collect stdout. */
  async function bash(script: string, extra: Record<string, string> = {}): Promise<RunResult> {
    return spawnCollect("bash", ["-c", script], cleanEnv({ ...sandbox().env(), ...extra }));
  }

  it("after eval \"$(assume-role A B)\": who the exports are, the chain that made them and when they expire", async () => {
    const r = await bash(`set -e\neval "$(${cli} --no-cache ${HOP1} ${HOP2})"\n${cli} whoami\n${cli} whoami --json\necho "$AWS_CREDENTIAL_EXPIRATION"`);
    ok(r);
    const [text, rest] = [r.stdout.slice(0, r.stdout.indexOf("{")), r.stdout.slice(r.stdout.indexOf("{"))];
    const expiration = rest.trim().split("\n").at(-1)!;
    expect(text.split("\n")).toEqual([
      SESSION2,
      `made by  assume-role: imds > ${HOP1} > ${HOP2}`,
      expect.stringMatching(new RegExp(`^expires  ${expiration} \\((59m|1h) left\\)$`)),
      "",
    ]);
    const out = JSON.parse(rest.slice(0, rest.lastIndexOf("}") + 1)) as Record<string, any>;
    expect(out).toMatchObject({ Arn: SESSION2, Expiration: expiration, MadeBy: { Source: "imds", Roles: [HOP1, HOP2] } });
    // Two hops for the eval, then whoami asked STS only who the exports are, signing with them: no new chain from IMDS.
    const requests = sandbox().requests;
    expect(requests.map((q) => q.action)).toEqual(["AssumeRole", "AssumeRole", "GetCallerIdentity", "GetCallerIdentity"]);
    expect(requests.slice(2).map((q) => q.callerArn)).toEqual([SESSION2, SESSION2]);
  });

  it("--chain after the eval: the source is the exported keys, beside the chain that made them", async () => {
    const r = await bash(`set -e\neval "$(${cli} --no-cache ${HOP1})"\n${cli} whoami --chain --json`);
    const out = json(r);
    expect(out.MadeBy).toEqual({ Source: "imds", Roles: [HOP1] });
    expect(out.Source).toMatchObject({ Kind: "env", Asked: true });
    expect(out.Source.SecondsLeft).toBeGreaterThan(3000);
    expect(out.Hops).toEqual([]);
  });

  it("after eval \"$(assume-role unset)\" the chain marker is gone with the rest", async () => {
    const vars = await bashEnvAfter(`eval "$(${cli} --no-cache ${HOP1})"\neval "$(${cli} unset)"`, cleanEnv(sandbox().env()));
    expect(vars.ASSUME_ROLE_CHAIN).toBeUndefined();
    expect(vars.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it("exports of an older run (no ASSUME_ROLE_CHAIN) name only their role; a marker this tool did not write is ignored with a warning", async () => {
    const older = await bash(`set -e\neval "$(${cli} --no-cache ${HOP1})"\nunset ASSUME_ROLE_CHAIN\n${cli} whoami --json`);
    expect(json(older).MadeBy).toEqual({ Source: null, Roles: [HOP1] });
    const forged = await bash(`eval "$(${cli} --no-cache ${HOP1})"\nexport ASSUME_ROLE_CHAIN=$'imds > \\e[31mred'\n${cli} whoami`);
    expect(forged.code).toBe(0);
    expect(forged.stderr).toBe("assume-role: warning: ASSUME_ROLE_CHAIN is not a chain assume-role writes; ignoring it\n");
    expect(forged.stdout).not.toContain(ESC);
    expect(forged.stdout).toContain(`made by  assume-role: ${HOP1} (the chain before it was not recorded)\n`);
  });

  it("keys the user exported are described as they are: no MadeBy", async () => {
    const keys = sandbox().userKeys("alice");
    const out = json(await runCli(["whoami", "--json"], { ...sandbox().env(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }));
    expect(out).toMatchObject({ Arn: `arn:aws:iam::${A}:user/alice`, Expiration: null, SecondsLeft: null, MadeBy: null });
    expect(actions()).toEqual(["GetCallerIdentity"]);
  });
});
