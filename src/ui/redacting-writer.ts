import type { Writer } from "../context.js";

/** Wraps a stream so that no registered secret is ever written through it. */
export class RedactingWriter implements Writer {
  private readonly secrets = new Set<string>();

  constructor(private readonly inner: Writer) {}

  protect(secret: string): void {
    if (secret.length >= 8) this.secrets.add(secret);
  }

  write(text: string): void {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("****");
    this.inner.write(out);
  }
}
