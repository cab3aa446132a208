// A loopback HTTP proxy in front of a sandbox server that records when each request arrived and when
// its answer was sent, so the benchmark can count the serial round trips of a run (the sandbox counts
// requests, not their overlap).
import { Agent, createServer, request } from "node:http";

/** Start a proxy on 127.0.0.1:0 forwarding to `target` (an http://127.0.0.1:PORT URL). */
export async function startTimingProxy(target) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const intervals = [];
  const server = createServer((req, res) => {
    const start = performance.now();
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => intervals.push({ start, end: performance.now(), what: `${req.method} ${req.url}` }));
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    intervals,
    close: () => {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The longest sequence of requests each of which started only after the previous one was answered:
 * the round trips a run had to wait for one after another (parallel requests overlap and count once).
 */
export function serialRoundTrips(intervals) {
  const byEnd = [...intervals].sort((a, b) => a.end - b.end);
  const depth = [];
  let best = 0;
  for (let i = 0; i < byEnd.length; i++) {
    let d = 1;
    for (let j = 0; j < i; j++) if (byEnd[j].end <= byEnd[i].start) d = Math.max(d, depth[j] + 1);
    depth.push(d);
    best = Math.max(best, d);
  }
  return best;
}
