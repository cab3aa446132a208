/** Reading a world file from disk (for the `sandbox --world FILE` command and tests). */
import { readFile } from "node:fs/promises";
import { WorldError, parseWorld, type World } from "./world.js";

export async function readWorldFile(path: string): Promise<World> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new WorldError(`${path}: cannot read the world file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorldError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseWorld(json, path);
}
