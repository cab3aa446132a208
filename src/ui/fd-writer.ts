import type { Writer } from "../context.js";

/** What an fd writer needs: a synchronous write to the descriptor, and the stream to fall back on. */
export interface FdWriterDeps {
  /** fs.writeSync(fd, bytes): the number of bytes written, or throws (EAGAIN, EPIPE, ...). */
  readonly writeSync: (bytes: Uint8Array) => number;
  /** Node's own stream for this descriptor (stdout), built only when it is needed. */
  readonly stream: () => { write(text: string | Uint8Array): unknown; on(event: "error", listener: (err: NodeJS.ErrnoException) => void): unknown };
}

/**
 * A Writer straight to a file descriptor with writeSync, as Node's own stdout writes to files and pipes on
 * Linux, without building Node's stdout stream (for a pipe that is a net.Socket and the stream modules: about a
 * sixth of node's own start-up, measured with callgrind). When the descriptor is a non-blocking pipe that is
 * full (EAGAIN), or fails in any other way, the rest of that text and every later one go through the stream,
 * which waits and reports as Node does. A reader that went away (EPIPE: `assume-role -f json | head -1`) ends
 * the output quietly, as it did through the stream.
 */
export function fdWriter(deps: FdWriterDeps): Writer {
  let stream: ReturnType<FdWriterDeps["stream"]> | undefined;
  let closed = false;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    closed = true;
  };
  return {
    write(text) {
      if (closed) return;
      if (stream) return void stream.write(text);
      let bytes: Uint8Array = Buffer.from(text, "utf8");
      try {
        while (bytes.length > 0) bytes = bytes.subarray(deps.writeSync(bytes));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EPIPE") {
          closed = true;
          return;
        }
        stream = deps.stream();
        stream.on("error", onError);
        stream.write(bytes);
      }
    },
  };
}
