import type { FormatInput } from "./export-set.js";

/** A pure formatter: data in, the exact stdout text out (ending in a newline). */
export type Formatter = (input: FormatInput) => string;
