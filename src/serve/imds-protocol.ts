/**
 * The rules of IMDSv2's session tokens, as a metadata service applies them (pure but for the token
 * generator it is given). Shared by `serve --imds` and the sandbox's emulator, which import it from here:
 * the product never imports the emulator.
 */

export const IMDS_TOKEN_PATH = "/latest/api/token";
export const IMDS_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
export const IMDS_TOKEN_HEADER = "x-aws-ec2-metadata-token";
/** Six hours: the longest session token IMDS issues (and what every SDK asks for). */
export const IMDS_MAX_TTL_SECONDS = 21600;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What a token PUT gets: a token for this many seconds, or an error status. */
export type TokenPutVerdict = { readonly ok: true; readonly ttlSeconds: number } | { readonly ok: false; readonly status: 400 | 403 | 405; readonly reason: string };

/**
 * The token PUT's rules: only PUT; refused (403) when it carries X-Forwarded-For, since a request that
 * came through a proxy may be someone else's; 400 without a whole-number TTL of 1 to 21600 seconds.
 */
export function checkTokenPut(method: string, headers: Headers): TokenPutVerdict {
  if (method !== "PUT") return { ok: false, status: 405, reason: "Method Not Allowed" };
  if (headers["x-forwarded-for"] !== undefined) return { ok: false, status: 403, reason: "Forbidden" };
  const text = first(headers[IMDS_TTL_HEADER]);
  const ttl = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(ttl >= 1 && ttl <= IMDS_MAX_TTL_SECONDS)) return { ok: false, status: 400, reason: "Missing or Invalid Parameters" };
  return { ok: true, ttlSeconds: ttl };
}

/** The session token a GET presents, if any. */
export function presentedToken(headers: Headers): string | undefined {
  return first(headers[IMDS_TOKEN_HEADER]);
}

/** Session tokens issued and when each expires (per the clock the caller passes). */
export class ImdsTokens {
  readonly #expiresAt = new Map<string, number>();
  readonly #newToken: () => string;

  constructor(newToken: () => string) {
    this.#newToken = newToken;
  }

  issue(ttlSeconds: number, now: Date): string {
    for (const [token, at] of this.#expiresAt) if (at <= now.getTime()) this.#expiresAt.delete(token);
    const token = this.#newToken();
    this.#expiresAt.set(token, now.getTime() + ttlSeconds * 1000);
    return token;
  }

  /** Seconds left, or undefined when the token is unknown or expired. */
  remaining(token: string, now: Date): number | undefined {
    const at = this.#expiresAt.get(token);
    if (at === undefined || at <= now.getTime()) return undefined;
    return Math.ceil((at - now.getTime()) / 1000);
  }
}

/** The HTML error page EC2's metadata service answers with (404, 401, ...). */
export function imdsErrorPage(status: number, reason: string): string {
  return (
    `<?xml version="1.0" encoding="iso-8859-1"?>\n` +
    `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n` +
    `\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n` +
    `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n` +
    ` <head>\n  <title>${status} - ${reason}</title>\n </head>\n` +
    ` <body>\n  <h1>${status} - ${reason}</h1>\n </body>\n` +
    `</html>\n`
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
