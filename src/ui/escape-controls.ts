/**
 * Text from users and files (a ROLE, AWS_REGION, a config value) reaches stderr inside messages. Its
 * control characters must not end the line early or drive the terminal (an ESC sequence can move the
 * cursor, recolour, retitle the window or rewrite what was printed): C0 controls, DEL and C1 controls
 * become visible escapes, `\n` `\r` `\t` by name, others as `\x1b` (below 0x80) or `\u009b` (C1).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    const hex = code.toString(16).padStart(2, "0");
    return NAMED[c] ?? (code < 0x80 ? `\\x${hex}` : `\\u00${hex}`);
  });
}

/**
 * commander's error text (it quotes the argument it refused), ending in a newline: escaped as one line,
 * except the line break before its own "(Did you mean --x?)" suggestion.
 */
export function escapeCommanderError(text: string): string {
  // Commander's suggestion comes on a line of its own: it becomes the hint line, indented like every hint.
  return `${escapeControls(text.replace(/\n$/, "")).replace(/\\n\(Did you mean (.*)\?\)$/, "\n  hint: did you mean $1?")}\n`;
}
