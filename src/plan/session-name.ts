import { UsageError } from "../errors.js";
import { isoSeconds } from "../iso-seconds.js";

export const SESSION_TOKENS = ["instanceId", "accountId", "region", "user", "host", "role", "hop", "time"] as const;
export type SessionToken = (typeof SESSION_TOKENS)[number];
export type SessionVars = { readonly [K in SessionToken]?: string | undefined };

export const IMDS_DEFAULT_TEMPLATE = "{instanceId}";
export const OTHER_DEFAULT_TEMPLATE = "{user}@{host}";

/**
 * `{user}` and `{host}` as getters on `from`: read only when a template has the token (asking for them costs a read of
 * /etc/passwd or the os module: commands/chain-deps.ts). Object.assign the other values onto it; spreading reads them.
 */
export function localNames(from: { readonly user: string; readonly host: string }): Pick<SessionVars, "user" | "host"> {
  return {
    get user() {
      return from.user;
    },
    get host() {
      return from.host;
    },
  };
}

const TOKEN = /\{([^{}]*)\}/g;
const MAX_LENGTH = 64;

/** The tokens a template uses; throws a usage error naming an unknown one. */
export function templateTokens(template: string): SessionToken[] {
  const used: SessionToken[] = [];
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1]!;
    if (!(SESSION_TOKENS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--session-name '${template}': unknown token {${name}}; known tokens: ${SESSION_TOKENS.map((t) => `{${t}}`).join(" ")}`,
      );
    }
    if (!used.includes(name as SessionToken)) used.push(name as SessionToken);
  }
  return used;
}

/** Replace every character STS refuses in a RoleSessionName ([\w+=,.@-]) by '-'. */
export function sanitizeSessionName(text: string): string {
  return text.replace(/[^\w+=,.@-]/g, "-").slice(0, MAX_LENGTH);
}

/** Render a template into a valid RoleSessionName (2-64 characters of [\w+=,.@-]). */
export function renderSessionName(template: string, vars: SessionVars): string {
  const rendered = template.replace(TOKEN, (_all, name: string) => {
    const value = vars[name as SessionToken];
    if (value === undefined) throw new UsageError(`--session-name '${template}': {${name}} is not known for this chain`);
    return value;
  });
  const name = sanitizeSessionName(rendered);
  if (name.length < 2) {
    throw new UsageError(`--session-name '${template}' gives '${name}': a session name needs 2 to 64 characters`);
  }
  return name;
}

/** `{time}`: compact UTC, e.g. 20261121T073000Z. */
export function sessionTime(d: Date): string {
  return isoSeconds(d).replace(/[-:]/g, "");
}

/** Render the tokens whose values are given and leave the others as written (`{instanceId}` stays `{instanceId}`). */
export function renderKnown(template: string, vars: SessionVars): string {
  return template.replace(TOKEN, (all, name: string) => vars[name as SessionToken] ?? all);
}

/**
 * A --session-name template checked when the plan is made, before any request: its tokens are known, and it cannot
 * render fewer than 2 characters. Values not known yet are assumed long enough ({instanceId}, {accountId}…);
 * {hop} renders as 1 and {time} is known, so `x`, `!` or `{hop}` alone are refused here, not after IMDS and STS.
 */
export function checkTemplate(template: string): void {
  templateTokens(template);
  const sample = template.replace(TOKEN, (_all, name: string) => (name === "hop" ? "1" : name === "time" ? sessionTime(new Date(0)) : "xx"));
  const name = sanitizeSessionName(sample);
  if (name.length < 2) {
    const shown = sanitizeSessionName(template.replace(TOKEN, (all, token: string) => (token === "hop" ? "1" : all)));
    throw new UsageError(`--session-name '${template}' gives '${shown}': a session name needs 2 to 64 characters`);
  }
}
