/** Pure: doctor's checks as people read them (one line each, then the remedy) or as JSON for scripts. */
import type { ChalkInstance } from "chalk";
import { escapeControls } from "../ui/escape-controls.js";
import type { Check, CheckStatus } from "./check.js";

/** 0 when no check failed, else the first failing check's exit code. */
export function exitCodeOf(checks: readonly Check[]): number {
  const failed = checks.find((c) => c.status === "fail");
  return failed === undefined ? 0 : (failed.exitCode ?? 1);
}

export function renderJson(checks: readonly Check[]): string {
  const exitCode = exitCodeOf(checks);
  return `${JSON.stringify({ ok: exitCode === 0, exitCode, checks }, null, 2)}\n`;
}

const WORDS: Record<CheckStatus, string> = { ok: "ok", warn: "warn", fail: "FAIL", skip: "skip" };

export function renderText(checks: readonly Check[], colour: ChalkInstance): string {
  const paint: Record<CheckStatus, (s: string) => string> = {
    ok: colour.green,
    warn: colour.yellow,
    fail: colour.red.bold,
    skip: colour.dim,
  };
  const lines: string[] = [];
  const indent = " ".repeat(6);
  for (const check of checks) {
    lines.push(`${paint[check.status](WORDS[check.status].padEnd(4))}  ${colour.bold(check.name)}: ${escapeControls(check.summary)}`);
    for (const detail of check.details ?? []) lines.push(`${indent}${escapeControls(detail)}`);
    for (const step of check.remedy ?? []) lines.push(`${indent}${colour.cyan("fix:")} ${escapeControls(step)}`);
    for (const advice of check.statements ?? []) {
      const where = advice.side === "identity" ? `a permission policy of ${advice.attachTo}` : `the trust policy of ${advice.attachTo}`;
      lines.push(`${indent}${advice.verdict === "allows" ? "already allowed; for reference, the" : "needed:"} statement for ${where}:`);
      // The statement is data a person pastes into a policy: plain JSON, never coloured.
      for (const line of JSON.stringify(advice.statement, null, 2).split("\n")) lines.push(`${indent}  ${line}`);
    }
  }
  const code = exitCodeOf(checks);
  lines.push(code === 0 ? colour.green("the chain works") : colour.red(`doctor: stopped at the first failure (exit ${code})`));
  return `${lines.join("\n")}\n`;
}
