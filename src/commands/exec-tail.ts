/**
 * Commander drops `--` and appends what followed it to the operands. Wrap a command's option parser to
 * keep that tail (CMD ARGS): the first `--` whose followers end the operands, i.e. the one commander
 * read as the end of options (not one taken as an option's value). undefined: there was no `--`.
 */
export function captureTail(cmd: { parseOptions(argv: string[]): { operands: string[]; unknown: string[] } }): () => string[] | undefined {
  let tail: string[] | undefined;
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv) => {
    const parsed = parse(argv);
    tail = tailAfterDoubleDash(argv, parsed.operands);
    return parsed;
  };
  return () => tail;
}

export function tailAfterDoubleDash(argv: readonly string[], operands: readonly string[]): string[] | undefined {
  for (let i = argv.indexOf("--"); i >= 0; i = argv.indexOf("--", i + 1)) {
    const after = argv.slice(i + 1);
    const start = operands.length - after.length;
    if (start >= 0 && after.every((word, j) => operands[start + j] === word)) return after;
  }
  return undefined;
}
