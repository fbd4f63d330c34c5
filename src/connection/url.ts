// Server URLs as the `nats` CLI takes them: with or without a scheme, maybe with a user, password or token
// in them, which must never be printed.

interface UrlParts {
  readonly scheme: string;
  /** Everything before the last `@`: `user:password` or a token. */
  readonly userinfo?: string;
  readonly host: string;
}

/**
 * Splits a server URL at its last `@`. Not the WHATWG parser: `host:port` without a scheme is the common
 * form, and a password with an unescaped `@` or `/` must still never be printed.
 */
export function splitUrl(url: string): UrlParts {
  const t = url.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(t)?.[0] ?? "";
  const rest = t.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  return at === -1
    ? { scheme, host: rest }
    : { scheme, userinfo: rest.slice(0, at), host: rest.slice(at + 1) };
}

/** A server URL with any user, password or token replaced, safe to print. */
export function redactUrl(url: string): string {
  const p = splitUrl(url);
  return p.userinfo === undefined ? `${p.scheme}${p.host}` : `${p.scheme}***@${p.host}`;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits `user:pass@host` out of a URL: the client library wants them separately. */
export function parseServer(url: string): { server: string; user?: string; pass?: string } {
  const p = splitUrl(url);
  const server = `${p.scheme}${p.host}`;
  if (p.userinfo === undefined || p.userinfo === "") return { server };
  const colon = p.userinfo.indexOf(":");
  if (colon === -1) return { server, user: decode(p.userinfo) };
  return { server, user: decode(p.userinfo.slice(0, colon)), pass: decode(p.userinfo.slice(colon + 1)) };
}
