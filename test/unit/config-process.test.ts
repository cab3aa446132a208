/**
 * credential_process: the v1 JSON rules (pure), and running a command through the shell with the loop
 * guard variable (real child processes: `sh` and this node).
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/context.js";
import { NoCredentialsError } from "../../src/errors.js";
import { parseProcessOutput, processSource } from "../../src/sources/process-source.js";
import { shQuote } from "../helpers/cli.js";

const NOW = new Date("2026-11-21T07:00:00Z");
const ORIGIN = "credential_process of profile p";

describe("parseProcessOutput", () => {
  it("reads Version 1 with optional SessionToken, Expiration and AccountId", () => {
    const out = JSON.stringify({ Version: 1, AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: "2026-11-21T08:00:00Z", AccountId: "123456789012" });
    expect(parseProcessOutput(out, NOW, ORIGIN)).toEqual({
      credentials: { accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date("2026-11-21T08:00:00Z") },
      accountId: "123456789012",
    });
    expect(parseProcessOutput('{"Version":1,"AccessKeyId":"AKIAX","SecretAccessKey":"s"}', NOW, ORIGIN).credentials.expiration).toBeUndefined();
  });

  it.each([
    ["", "did not print a JSON object on stdout (stdout was empty)"],
    ["AKIA secret", "did not print a JSON object on stdout (invalid JSON)"],
    ["[1]", "did not print a JSON object on stdout (JSON that is not an object)"],
    ['{"Version":"1","AccessKeyId":"A","SecretAccessKey":"s"}', 'printed Version "1": only Version 1 is supported'],
    ['{"AccessKeyId":"A","SecretAccessKey":"s"}', "printed Version (missing): only Version 1 is supported"],
    ['{"Version":1,"SecretAccessKey":"s"}', "printed no AccessKeyId"],
    ['{"Version":1,"AccessKeyId":"A","SecretAccessKey":""}', "printed a SecretAccessKey that is not a non-empty string"],
    ['{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"tomorrow"}', "printed Expiration 'tomorrow': not an RFC 3339 time"],
    ['{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2026-11-21T06:59:59Z"}', "returned expired credentials (Expiration 2026-11-21T06:59:59Z)"],
  ])("%s → %s", (stdout, message) => {
    expect(() => parseProcessOutput(stdout, NOW, ORIGIN)).toThrow(NoCredentialsError);
    expect(() => parseProcessOutput(stdout, NOW, ORIGIN)).toThrow(`${ORIGIN} ${message}`);
  });

  it("never quotes the output in an error", () => {
    expect(() => parseProcessOutput('{"Version":2,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET"}', NOW, ORIGIN)).not.toThrow(/TOPSECRET/);
  });
});

describe("processSource", () => {
  const ctx = (env: Record<string, string> = {}) =>
    ({ env: { PATH: process.env.PATH ?? "", ...env }, spawn, platform: process.platform, now: () => NOW }) as unknown as Context;
  const node = (script: string) => `${shQuote(process.execPath)} -e ${shQuote(script)}`;
  const printKeys = `process.stdout.write(JSON.stringify({Version:1,AccessKeyId:"AKIAX",SecretAccessKey:"s",Chain:process.env.ASSUME_ROLE_PROFILE_CHAIN}))`;

  it("runs the command through sh (quotes, $VARS) and hands the child the profile chain", async () => {
    const command = `FROM_SHELL=yes ${node(`if (process.env.FROM_SHELL !== "yes") process.exit(9); ${printKeys}`)}`;
    const result = await processSource(ctx({ ASSUME_ROLE_PROFILE_CHAIN: "outer" }), { kind: "process", profile: "p", command });
    expect(result).toMatchObject({ kind: "process", credentials: { accessKeyId: "AKIAX", secretAccessKey: "s" } });
  });

  it("the child sees ASSUME_ROLE_PROFILE_CHAIN = the parent's list plus this profile", async () => {
    const command = node(`process.stderr.write(process.env.ASSUME_ROLE_PROFILE_CHAIN); process.exit(1)`);
    await expect(processSource(ctx({ ASSUME_ROLE_PROFILE_CHAIN: "outer" }), { kind: "process", profile: "p", command })).rejects.toThrow(
      "credential_process of profile p exited with status 1: outer,p",
    );
  });

  it("quotes the last unindented stderr line of a failing command; debug gets every line", async () => {
    const debug: string[] = [];
    const command = node(`console.log("SECRET"); console.error("first\\nError: boom\\n    at x (y.js:1)"); process.exit(3)`);
    const run = processSource(ctx(), { kind: "process", profile: "p", command }, (l) => debug.push(l));
    const err = await run.then(() => undefined, (e: unknown) => e as NoCredentialsError);
    expect(err).toBeInstanceOf(NoCredentialsError);
    expect(err?.message).toBe("credential_process of profile p exited with status 3: Error: boom");
    expect(debug).toEqual(["credential_process of profile p: first", "credential_process of profile p: Error: boom", "credential_process of profile p:     at x (y.js:1)"]);
  });

  it("a command killed by a signal, or with nothing on stderr, still gets one clear line", async () => {
    await expect(processSource(ctx(), { kind: "process", profile: "p", command: "kill -TERM $$" })).rejects.toThrow("credential_process of profile p was killed by SIGTERM (no message on stderr)");
  });

  it("a command that does not exist: sh's message (exit 127)", async () => {
    await expect(processSource(ctx(), { kind: "process", profile: "p", command: "/nonexistent/get-creds" })).rejects.toThrow(/exited with status 127: .*nonexistent\/get-creds/);
  });
});
