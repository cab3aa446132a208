/**
 * Every entry under a directory as the user would compare it: type, permission bits, and the content
 * (SHA-256 and size) of regular files or the target of links. Links are not followed and FIFOs are
 * never opened, so taking a snapshot cannot hang or read a device.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export interface TreeEntry {
  readonly type: "file" | "dir" | "link" | "fifo" | "other";
  readonly mode: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
}

/** Relative path → entry, sorted by path (the root itself is "."). */
export function snapshotTree(root: string): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const visit = (rel: string) => {
    const path = rel === "." ? root : join(root, rel);
    const st = lstatSync(path);
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    if (st.isSymbolicLink()) out[rel] = { type: "link", mode, target: readlinkSync(path) };
    else if (st.isFIFO()) out[rel] = { type: "fifo", mode };
    else if (st.isFile()) {
      const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
      out[rel] = { type: "file", mode, size: st.size, sha256 };
    } else if (st.isDirectory()) {
      out[rel] = { type: "dir", mode };
      for (const name of readdirSync(path).sort()) visit(rel === "." ? name : join(rel, name));
    } else out[rel] = { type: "other", mode };
  };
  visit(".");
  return out;
}
