// One run of a command, timed by bash's `time`: wall time and the command's own CPU time (user + sys
// from the kernel's accounting). On a shared machine the CPU time is the steadier of the two: it does
// not count the time the command waited for a core. bash's own start-up is outside both.
// stdout is a pipe (drained here), as in `eval "$(assume-role ...)"`; stderr is kept for error reports.
import { spawn } from "node:child_process";

const MARK = "BENCH-TIME";
const SCRIPT = `TIMEFORMAT='${MARK} %3R %3U %3S'; time "$@"`;

/** Run `cmd args` with exactly `env`; resolves { status, stderr, ms, cpuMs }. */
export function runTimed(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", SCRIPT, "bench", cmd, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      const at = stderr.lastIndexOf(`${MARK} `);
      if (at < 0) return reject(new Error(`bash printed no timing for ${cmd} ${args.join(" ")}: ${stderr}`));
      const [real, user, sys] = stderr.slice(at + MARK.length + 1).trim().split(" ").map(Number);
      resolve({ status, stderr: stderr.slice(0, at), ms: real * 1000, cpuMs: (user + sys) * 1000 });
    });
  });
}
