import { constants } from "node:fs";
import type { Context } from "../../src/context.js";

/**
 * The part of Context.fs that reading a profile file uses (open, fstat, read), backed by a function
 * from path to text: it throws (e.g. an ENOENT error) for files that are not there. Every file is a
 * regular file.
 */
export function fakeReadFs(readFile: (path: string) => Promise<string>): Context["fs"] {
  const open = async (path: string) => {
    const text = await readFile(path);
    return {
      stat: async () => ({ isFile: () => true }),
      readFile: async () => Buffer.from(text, "utf8"),
      close: async () => undefined,
    };
  };
  return { constants, open, readFile } as unknown as Context["fs"];
}
