import type { ChalkInstance } from "chalk";
import { CliError } from "../errors.js";
import type { ImdsWarning } from "../imds/imds-warnings.js";
import { spanText } from "../imds/imds-warnings.js";
import type { ImdsInspection, Item } from "../imds/inspect-imds.js";
import { isoSeconds } from "../iso-seconds.js";
import { escapeControls } from "./escape-controls.js";

/**
 * Pure: the `imds` report for people. Values come from a server: every one is passed through escapeControls, so
 * a hostile metadata service cannot drive the terminal. No secret is in the inspection to begin with.
 */
export function imdsReportText(i: ImdsInspection, warnings: readonly ImdsWarning[], now: Date, c: ChalkInstance): string {
  const rows: Array<[string, string]> = [];
  const row = (label: string, value: string) => rows.push([label, value]);
  const unavailable = (item: Item<unknown> & { ok: false }) => c.red(`unavailable: ${describeError(item.error)}`);
  const show = <T>(label: string, item: Item<T>, text: (v: T) => string) => row(label, item.ok ? text(item.value) : unavailable(item));
  const v = (s: string) => c.bold(escapeControls(s));

  show("instance", i.instanceId, v);
  show("region", i.region, v);
  show("instance profile", i.instanceProfile, (p) => v(p.arn));
  if (i.instanceProfile.ok) row("profile ID", i.instanceProfile.value.id === undefined ? c.dim("not given") : v(i.instanceProfile.value.id));
  show("role (listed)", i.role, v);
  show("credentials", i.credentials, (cr) => (cr.lastUpdated === undefined ? c.dim("LastUpdated not given") : `last updated ${v(isoSeconds(cr.lastUpdated))} (${ago(cr.lastUpdated, now)})`));
  if (i.credentials.ok && i.credentials.value.expiration !== undefined) {
    const exp = i.credentials.value.expiration;
    row("expires", `${v(isoSeconds(exp))} (${exp.getTime() > now.getTime() ? `in ${spanText((exp.getTime() - now.getTime()) / 1000)}` : c.red("expired")})`);
  }
  show("served to (STS)", i.identity, (id) => v(id.arn));
  show("IMDSv2 token", i.token, (t) => (t.issued ? "issued" : c.yellow(`not issued (${t.unanswered ? "the token request got no answer" : escapeControls(t.reason)})`)));
  row(
    "IMDSv2 required",
    i.v2.enforced === true
      ? `${v("yes")} (a GET without a token is refused, HTTP 401)`
      : i.v2.enforced === false
        ? `${v("no")} (a GET without a token is answered: IMDSv1 is allowed)`
        : c.dim(`unknown: ${escapeControls(i.v2.why)}`),
  );

  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [`IMDS at ${v(i.endpoint)}`, ...rows.map(([label, value]) => `  ${c.dim(label.padEnd(width))}${value}`)];
  if (warnings.length > 0) {
    lines.push("");
    for (const w of warnings) lines.push(`${c.yellow.bold("warning:")} ${escapeControls(w.message)}`, `  ${c.dim("fix:")} ${escapeControls(w.remedy)}`);
  }
  return lines.join("\n") + "\n";
}

/** Pure: the `imds` report for scripts. Items that could not be fetched are null, with the reason under Unavailable. */
export function imdsReportJson(i: ImdsInspection, warnings: readonly ImdsWarning[], now: Date): string {
  const unavailable: Record<string, string> = {};
  const value = <T, R>(key: string, item: Item<T>, shape: (v: T) => R): R | null => {
    if (item.ok) return shape(item.value);
    unavailable[key] = describeError(item.error);
    return null;
  };
  const seconds = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / 1000);
  const report = {
    Endpoint: i.endpoint,
    InstanceId: value("InstanceId", i.instanceId, (id) => id),
    Region: value("Region", i.region, (r) => r),
    InstanceProfile: value("InstanceProfile", i.instanceProfile, (p) => ({ Arn: p.arn, Id: p.id ?? null, Name: p.name })),
    Role: value("Role", i.role, (r) => r),
    Credentials: value("Credentials", i.credentials, (cr) => ({
      LastUpdated: cr.lastUpdated === undefined ? null : isoSeconds(cr.lastUpdated),
      AgeSeconds: cr.lastUpdated === undefined ? null : seconds(cr.lastUpdated, now),
      Expiration: cr.expiration === undefined ? null : isoSeconds(cr.expiration),
      ExpiresInSeconds: cr.expiration === undefined ? null : seconds(now, cr.expiration),
    })),
    Identity: value("Identity", i.identity, (id) => ({ Account: id.account, Arn: id.arn, UserId: id.userId })),
    Imdsv2: {
      TokenIssued: i.token.ok ? i.token.value.issued : null,
      TokenUnanswered: i.token.ok ? !i.token.value.issued && i.token.value.unanswered : null,
      Required: i.v2.enforced ?? null,
    },
    Unavailable: unavailable,
    Warnings: warnings.map((w) => ({ Code: w.code, Message: w.message, Remedy: w.remedy })),
  };
  if (!i.token.ok) unavailable.Imdsv2Token = describeError(i.token.error);
  if (i.v2.enforced === undefined) unavailable.Imdsv2Required = i.v2.why;
  return JSON.stringify(report, null, 2) + "\n";
}

/** `3h 2m ago` (or `in 5m`, for a time ahead of this machine's clock). */
function ago(then: Date, now: Date): string {
  const seconds = (now.getTime() - then.getTime()) / 1000;
  return seconds >= 0 ? `${spanText(seconds)} ago` : `in ${spanText(-seconds)}`;
}

/** An error as one line: the message, and its hint when it has one. */
function describeError(err: Error): string {
  const hint = err instanceof CliError && err.hint ? ` (hint: ${err.hint})` : "";
  return escapeControls(err.message + hint);
}
