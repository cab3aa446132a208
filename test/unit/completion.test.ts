/**
 * Completion's engine (completeWords over the real commander tree), the answer the scripts parse, and the
 * near-miss check: table tests on the program as createProgram builds it, plus one with a command added
 * after the fact (what other commands get when they land).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { formatCompletion } from "../../src/commands/completion-command.js";
import { editDistance, refuseNearCommand, visibleCommandNames } from "../../src/commands/near-command.js";
import { commandTree } from "../../src/completion/command-tree.js";
import { completeWords, type Completion } from "../../src/completion/complete-words.js";
import { UsageError } from "../../src/errors.js";
import { FORMAT_NAMES } from "../../src/outputs/formatters/format-names.js";
import { COMMAND_NAMES, createProgram } from "../../src/program.js";
import { fsContext } from "../fixtures/credentials/test-context.js";

const NAMES = { profiles: ["default", "dev", "prod"], roles: ["ProdAdmin", "team/Deploy"] };
const program = () => createProgram(fsContext());
const values = (c: Completion) => (c.kind === "words" ? c.candidates.map((x) => x.value) : c.kind);
const complete = (...words: string[]) => values(completeWords(commandTree(program()), words, NAMES));

describe("completeWords on the program's own tree", () => {
  it.each([
    [["--f"], ["--format", "--force"]],
    [["--prof"], ["--profile"]],
    [["--format", ""], [...FORMAT_NAMES]],
    [["--format", "j"], ["json"]],
    [["-f", "p"], ["powershell", "pwsh", "process"]],
    [["--format=g"], ["--format=github", "--format=gitlab"]],
    [["whoami", "--format", ""], ["text", "json"]],
    [["serve", "--format", "d"], ["dotenv"]],
    [["unset", "--format", "f"], ["fish"]],
    [["--source", "w"], ["web-identity"]],
    [["--profile", ""], ["default", "dev", "prod"]],
    [["whoami", "-p", "d"], ["default", "dev"]],
    [["completion", ""], ["bash", "zsh", "fish", "powershell"]],
    [["completion", "bash", ""], []],
    [["wh"], ["whoami"]],
    [["P"], ["ProdAdmin"]],
    [["exec", "t"], ["team/Deploy"]],
    [["ProdAdmin", "t"], ["team/Deploy"]],
    // A second operand is a role, never a command: commander only reads the first as one.
    [["ProdAdmin", "wh"], []],
    [["--profile", "dev", "whoami", "--dur"], ["--duration"]],
    [["--policy", "x"], "files"],
    [["sandbox", "--world", ""], "files"],
    [["exec", "--", "ls", ""], "files"],
    [["--duration", ""], []],
  ] as const)("%j → %j", (words, want) => {
    expect(complete(...words)).toEqual(want);
  });

  it("an empty word lists every visible command and the role names; hidden __complete is not one", () => {
    const got = complete("") as string[];
    expect(got).toEqual(expect.arrayContaining(["whoami", "exec", "serve", "unset", "sandbox", "completion", "ProdAdmin", "team/Deploy"]));
    expect(got.some((w) => w.startsWith("_"))).toBe(false);
  });

  it("`-` lists each option once, by its long name, with --help's description", () => {
    const tree = commandTree(program());
    const got = completeWords(tree, ["-"], NAMES);
    expect(got.kind === "words" && got.candidates.find((c) => c.value === "--profile")?.description).toMatch(/profile/);
    expect(values(got)).not.toContain("-p");
    expect(values(got)).toContain("--no-cache");
  });

  it("a command added to the program completes with its options and choices, with no change to completion", () => {
    const p = program();
    p.addCommand(new Command("inspect").argument("[roles...]").addOption(new Option("--format <f>").choices(["text", "json"])));
    const tree = commandTree(p);
    expect(values(completeWords(tree, ["insp"], NAMES))).toEqual(["inspect"]);
    expect(values(completeWords(tree, ["inspect", "--format", ""], NAMES))).toEqual(["text", "json"]);
    expect(values(completeWords(tree, ["inspect", "P"], NAMES))).toEqual(["ProdAdmin"]);
  });
});

describe("formatCompletion: the answer the scripts read", () => {
  it("words: a header line, then VALUE<TAB>DESCRIPTION, descriptions kept on one line", () => {
    expect(formatCompletion({ kind: "words", candidates: [{ value: "a", description: "x\ty\nz" }, { value: "b" }] })).toBe("words\na\tx y z\nb\n");
    expect(formatCompletion({ kind: "words", candidates: [] })).toBe("words\n");
    expect(formatCompletion({ kind: "files" })).toBe("files\n");
  });
});

describe("editDistance (optimal string alignment)", () => {
  it.each([
    ["doctor", "doctor", 0],
    ["doctr", "doctor", 1],
    ["whomai", "whoami", 1],
    ["exce", "exec", 1],
    ["eexc", "exec", 1],
    ["exc", "exec", 1],
    ["unst", "unset", 1],
    ["sevre", "serve", 1],
    ["xeec", "exec", 1],
    ["ex", "exec", 2],
    ["execute", "exec", 3],
    ["", "abc", 3],
    ["ca", "abc", 3],
  ] as const)("%s ↔ %s = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("refuseNearCommand", () => {
  it("COMMAND_NAMES, which the default command checks a bare ROLE against, are exactly the commands --help lists", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(visibleCommandNames(program()).sort());
  });

  it("--help, which lists the subcommands from their heads, says what the full tree would say, at every width", () => {
    for (const columns of [40, 80, 200]) {
      const help = (argv?: string[]) => {
        const p = createProgram(fsContext(), argv);
        p.configureOutput({ getOutHelpWidth: () => columns });
        return p.helpInformation();
      };
      expect(help(["--help"])).toBe(help());
      expect(help(["-vh"])).toBe(help()); // -h among other short flags
      expect(help(["-h"])).toContain("completion <shell>");
    }
  });

  const refusal = (p: Command<any, any, any>, role: string) => {
    try {
      refuseNearCommand(visibleCommandNames(p), role);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as UsageError).message;
    }
  };

  it.each([
    ["whomai", "whoami"],
    ["exce", "exec"],
    ["unste", "unset"],
    ["sandbx", "sandbox"],
    ["competion", "completion"],
  ])("%s is refused: did you mean %s?", (role, cmd) => {
    expect(refusal(program(), role)).toBe(`ROLE '${role}': did you mean ${cmd}? (a role of that name: give its ARN)`);
  });

  it.each(["exc", "sevre", "whomia"])("%s (short, or two edits) is refused too", (role) => {
    expect(refusal(program(), role)).toMatch(/did you mean \w+\?/);
  });

  // Shorter than 5 characters: one edit only, so common short role names two edits away still work.
  it.each(["Whoami", "Service", "Docker", "Deploy", "ExampleAssumedRole", "execute", "team/exec", "arn:aws:iam::123456789012:role/exec", "sre", "sec", "ex", "hop", "self"])("%s is a role", (role) => {
    expect(refusal(program(), role)).toBeUndefined();
  });

  it("commands added later count: inspct is refused once inspect exists; kms stays a role beside keys", () => {
    const p = program();
    expect(refusal(p, "inspct")).toBeUndefined();
    p.addCommand(new Command("inspect"));
    p.addCommand(new Command("keys"));
    expect(refusal(p, "inspct")).toMatch(/did you mean inspect\?/);
    expect(refusal(p, "key")).toMatch(/did you mean keys\?/);
    expect(refusal(p, "kms")).toBeUndefined();
  });
});
