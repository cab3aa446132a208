/** A world file that does not validate. The message is one line naming the origin, the path and the rule. */
export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorldError";
  }
}
