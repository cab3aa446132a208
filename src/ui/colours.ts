import { Chalk, type ChalkInstance } from "chalk";

/**
 * Colour for what people read, decided once per stream: `out` for human-facing stdout (whoami, imds, doctor,
 * the demo), `err` for error, hint and warning lines and prompts. Never used for what a shell or CI parser
 * reads (exports, JSON, dotenv, CI files): those are written plain whatever the terminal.
 */
export interface Colours {
  readonly out: ChalkInstance;
  readonly err: ChalkInstance;
}

export type ColourLevel = 0 | 1 | 2 | 3;

/** Colours that never colour: the default for tests and anything that is not a terminal. */
export const NO_COLOURS: Colours = { out: new Chalk({ level: 0 }), err: new Chalk({ level: 0 }) };

export function createColours(out: ColourLevel, err: ColourLevel): Colours {
  return { out: new Chalk({ level: out }), err: new Chalk({ level: err }) };
}

/**
 * The colour level for one stream. NO_COLOR (any non-empty value, no-color.org) wins; then FORCE_COLOR
 * (0/false off, 1/true/empty basic, 2 = 256 colours, 3 = truecolor); then a terminal that is not `dumb` gets
 * what it says it supports (`terminalLevel`, from chalk's detection), at least basic colour.
 */
export function colourLevel(env: Readonly<Record<string, string | undefined>>, isTTY: boolean, terminalLevel: number): ColourLevel {
  if (env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force === "false") return 0;
    if (force === "2" || force === "3") return Number(force) as ColourLevel;
    return 1;
  }
  if (!isTTY || env.TERM === "dumb") return 0;
  return Math.min(3, Math.max(1, terminalLevel)) as ColourLevel;
}
