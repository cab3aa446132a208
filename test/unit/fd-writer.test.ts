import { describe, expect, it } from "vitest";
import { fdWriter } from "../../src/ui/fd-writer.js";

/** A descriptor that takes at most `chunk` bytes per write, then fails with `failWith` once `capacity` bytes are in. */
function fakeFd(opts: { chunk?: number; capacity?: number; failWith?: string }) {
  const written: number[] = [];
  const streamed: string[] = [];
  let streamBuilt = 0;
  let onError: ((err: NodeJS.ErrnoException) => void) | undefined;
  const writer = fdWriter({
    writeSync: (bytes) => {
      if (written.length >= (opts.capacity ?? Infinity)) throw Object.assign(new Error(opts.failWith), { code: opts.failWith });
      const n = Math.min(bytes.length, opts.chunk ?? bytes.length, (opts.capacity ?? Infinity) - written.length);
      written.push(...bytes.subarray(0, n));
      return n;
    },
    stream: () => {
      streamBuilt++;
      return {
        write: (t: string | Uint8Array) => streamed.push(typeof t === "string" ? t : Buffer.from(t).toString("utf8")),
        on: (_e: "error", l: (err: NodeJS.ErrnoException) => void) => (onError = l),
      };
    },
  });
  return { writer, text: () => Buffer.from(written).toString("utf8"), streamed, streamBuilt: () => streamBuilt, fail: (code: string) => onError?.(Object.assign(new Error(code), { code })) };
}

describe("fdWriter: stdout without building process.stdout", () => {
  it("writes everything through short writes, in order, and never builds the stream", () => {
    const fd = fakeFd({ chunk: 3 });
    fd.writer.write("export A='é'\n");
    fd.writer.write("export B=2\n");
    expect(fd.text()).toBe("export A='é'\nexport B=2\n");
    expect(fd.streamBuilt()).toBe(0);
  });

  it("a full non-blocking pipe (EAGAIN): the rest of that text and every later one go through the stream, in order", () => {
    const fd = fakeFd({ capacity: 5, failWith: "EAGAIN" });
    fd.writer.write("0123456789");
    fd.writer.write("abc");
    expect(fd.text()).toBe("01234");
    expect(fd.streamed.join("")).toBe("56789abc");
    expect(fd.streamBuilt()).toBe(1);
  });

  it("a reader that went away (EPIPE) ends the output quietly, on the descriptor or later on the stream", () => {
    const direct = fakeFd({ capacity: 2, failWith: "EPIPE" });
    direct.writer.write("abcd");
    direct.writer.write("more");
    expect(direct.text()).toBe("ab");
    expect(direct.streamBuilt()).toBe(0);

    const viaStream = fakeFd({ capacity: 0, failWith: "EAGAIN" });
    viaStream.writer.write("x");
    viaStream.fail("EPIPE");
    viaStream.writer.write("y");
    expect(viaStream.streamed).toEqual(["x"]);
    expect(() => viaStream.fail("EIO")).toThrow("EIO");
  });
});
