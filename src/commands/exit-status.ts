const exitStatuses = new WeakMap<object, number>();

/** An action's exit status for runCli (exec: the child's); other commands leave none (0 on success). */
export function recordExitStatus(program: object, status: number): void {
  exitStatuses.set(program, status);
}

export function exitStatusOf(program: object): number | undefined {
  return exitStatuses.get(program);
}
