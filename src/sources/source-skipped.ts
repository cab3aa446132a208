/** Thrown by a source that is not configured here, so `auto` may try the next one. */
export class SourceSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "SourceSkipped";
  }
}
