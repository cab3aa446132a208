import fc from "fast-check";

/** Fragments that break naive quoting somewhere: quotes of every kind, expansions, line breaks, odd Unicode. */
export const NASTY_PIECES: readonly string[] = [
  "'", '"', "\\", "\\\\", "\\'", "''", "'\\''", "`", "`id`", "$", "$(", ")", "$(id)", "${HOME}", "$HOME", "$$",
  "!", "!!", "!x!", "%", "%PATH%", "^", "&", "|", ";", "<", ">", "(", "{", "}", "*", "?", "[a]", "~", "#", "=",
  "-", "--", "-n", "-e", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\\n", "\\r", "\v", "\f",
  "é", "ß", "日本語", "😀", "👨‍👩‍👧", "\u00a0", "\u0085", "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e",
  "\u2018", "\u2019", "\u201a", "\u201b", "\u201c", "\ufdd0", "\uf600", "\ue000", "\uffff", "\u{10ffff}",
  "\x1b[31m", "\x7f", "\x01",
];

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_PIECES) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 8 }) },
);

/**
 * Any string an environment variable can hold (everything but NUL), biased towards the characters
 * that shells, cmd.exe and dotenv parsers treat specially. Includes the empty string.
 */
export const envValue: fc.Arbitrary<string> = fc
  .array(piece, { maxLength: 8 })
  .map((pieces) => pieces.join("").replaceAll("\0", ""));

export const nonEmptyEnvValue: fc.Arbitrary<string> = envValue.map((v) => (v === "" ? "x" : v));
