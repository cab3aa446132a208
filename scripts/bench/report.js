// The benchmark's outputs: a Markdown table (bench/results/latest.md) and a bar chart of the ratios to
// `node -e 0` as hand-written SVG (bench/results/latest.svg).

const ms = (x) => `${x.toFixed(0)} ms`;
const spread = (s) => `${s.q1.toFixed(0)}–${s.q3.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

/** rows: { label, stats?, ratio?, cpu?, cpuRatio?, observed?, target?, met?, skipped? } in table order. */
export function markdownReport({ rows, header, notes }) {
  const lines = [
    "# assume-role benchmark (`npm run bench`)",
    "",
    ...header.map((h) => `- ${h}`),
    "",
    "| case | wall median | wall IQR (min–max) | wall × `node -e 0` | CPU median (× `node -e 0`) | observed | target | met |",
    "|---|---:|---|---:|---:|---|---|:-:|",
  ];
  for (const r of rows) {
    if (r.skipped !== undefined) {
      lines.push(`| ${r.label} | — | — | — | — | skipped: ${r.skipped} | ${r.target ?? ""} | — |`);
      continue;
    }
    const met = r.met === undefined ? "" : r.met ? "yes" : "**no**";
    const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`;
    const cpu = r.cpu === undefined ? "" : `${ms(r.cpu.median)} (${r.cpuRatio.toFixed(2)}×)`;
    lines.push(`| ${r.label} | ${ms(r.stats.median)} | ${spread(r.stats)} | ${ratio} | ${cpu} | ${r.observed ?? ""} | ${r.target ?? ""} | ${met} |`);
  }
  lines.push("", ...notes, "");
  return lines.join("\n");
}

const esc = (s) => s.replace(/`/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Horizontal bars of each row's ratio on a log scale (the off-EC2 rows are 10-20× while the targets
 * that matter sit between 1× and 3×); a black tick marks a row's target, red bars miss theirs.
 */
export function svgChart({ rows, title }) {
  const bars = rows.filter((r) => r.ratio !== undefined);
  const labelWidth = 320;
  const plotWidth = 440;
  const rowHeight = 26;
  const top = 40;
  const height = top + bars.length * rowHeight + 40;
  const floor = 0.5;
  const maxRatio = Math.max(4, ...bars.map((r) => Math.max(r.ratio, r.targetRatio ?? 0))) * 1.15;
  const x = (ratio) => labelWidth + (Math.log(Math.max(ratio, floor) / floor) / Math.log(maxRatio / floor)) * plotWidth;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  const bottom = top + bars.length * rowHeight;
  for (const grid of [1, 2, 5, 10, 20, 50].filter((g) => g <= maxRatio)) {
    const gx = x(grid).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${bottom}" stroke="#bbb" stroke-dasharray="3,3"/>`,
      `<text x="${gx}" y="${bottom + 14}" text-anchor="middle" fill="#555">${grid}×</text>`,
    );
  }
  bars.forEach((r, i) => {
    const y = top + i * rowHeight;
    out.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${(x(r.ratio) - labelWidth).toFixed(1)}" height="16" fill="${r.met === false ? "#d9534f" : "#4a7fb5"}"/>`,
      `<text x="${(x(r.ratio) + 4).toFixed(1)}" y="${y + 15}">${r.ratio.toFixed(2)}×</text>`,
    );
    if (r.targetRatio !== undefined) {
      const tx = x(r.targetRatio).toFixed(1);
      out.push(`<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + 22}" stroke="black" stroke-width="2"><title>target ${r.targetRatio.toFixed(2)}×</title></line>`);
    }
  });
  out.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${height - 8}" text-anchor="middle" fill="#555">median wall time ÷ node -e 0 (log scale); black tick: target; red: target missed</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}
