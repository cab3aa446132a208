/** colourLevel: the colour each stream gets from NO_COLOR, FORCE_COLOR, the terminal and what it supports. */
import { describe, expect, it } from "vitest";
import { colourLevel, createColours, NO_COLOURS } from "../../src/ui/colours.js";

type Env = Record<string, string | undefined>;

describe("colourLevel", () => {
  it.each<[string, Env, boolean, number, number]>([
    // NO_COLOR (any non-empty value) wins over everything.
    ["NO_COLOR on a terminal", { NO_COLOR: "1" }, true, 3, 0],
    ["NO_COLOR beats FORCE_COLOR=3", { NO_COLOR: "1", FORCE_COLOR: "3" }, true, 3, 0],
    ["NO_COLOR=anything", { NO_COLOR: "no" }, true, 2, 0],
    ["empty NO_COLOR is unset", { NO_COLOR: "" }, true, 2, 2],
    // FORCE_COLOR, terminal or not.
    ["FORCE_COLOR=0 on a terminal", { FORCE_COLOR: "0" }, true, 3, 0],
    ["FORCE_COLOR=false", { FORCE_COLOR: "false" }, true, 3, 0],
    ["FORCE_COLOR=1 into a pipe", { FORCE_COLOR: "1" }, false, 0, 1],
    ["FORCE_COLOR=true", { FORCE_COLOR: "true" }, false, 0, 1],
    ["FORCE_COLOR empty", { FORCE_COLOR: "" }, false, 0, 1],
    ["FORCE_COLOR=2", { FORCE_COLOR: "2" }, false, 0, 2],
    ["FORCE_COLOR=3", { FORCE_COLOR: "3" }, false, 0, 3],
    ["FORCE_COLOR=3 on a basic terminal", { FORCE_COLOR: "3" }, true, 1, 3],
    ["FORCE_COLOR=yes (unknown word): basic", { FORCE_COLOR: "yes" }, false, 0, 1],
    ["FORCE_COLOR=1 beats TERM=dumb", { FORCE_COLOR: "1", TERM: "dumb" }, false, 0, 1],
    // Neither: the terminal decides.
    ["a pipe", {}, false, 3, 0],
    ["a terminal with truecolor", {}, true, 3, 3],
    ["a terminal with 256 colours", {}, true, 2, 2],
    ["a terminal that claims none still gets basic", {}, true, 0, 1],
    ["TERM=dumb", { TERM: "dumb" }, true, 3, 0],
  ])("%s", (_name, env, isTTY, terminal, want) => {
    expect(colourLevel(env, isTTY, terminal)).toBe(want);
  });
});

describe("createColours", () => {
  it("paints each stream at its own level; NO_COLOURS paints nothing", () => {
    const c = createColours(1, 0);
    expect(c.out.red("x")).toBe("\x1b[31mx\x1b[39m");
    expect(c.err.red("x")).toBe("x");
    expect(NO_COLOURS.out.bold("x") + NO_COLOURS.err.bold("y")).toBe("xy");
  });
});
