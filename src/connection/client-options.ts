// The options the client connects with, and the API prefix requests go to, from the resolved settings. The
// files they name (creds, seeds, TLS) are read or checked here, before connecting, so that a wrong one is
// reported by name.

import { type ConnectionOptions, jwtAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";
import { checkReadable, checkSeed, parseCreds, parseSeedFile, readSecretFile } from "./credentials.js";
import { ConnectionFailure } from "./errors.js";
import type { ConnectionSettings } from "./settings.js";
import { parseServer } from "./url.js";

type ClientOptions = ConnectionOptions & { tls?: Record<string, unknown> | null };

export function apiPrefix(s: ConnectionSettings): string {
  if (s.jsApiPrefix) return s.jsApiPrefix.replace(/\.$/, "");
  if (s.jsDomain) return `$JS.${s.jsDomain}.API`;
  return "$JS.API";
}

export async function buildOptions(s: ConnectionSettings): Promise<ConnectionOptions> {
  const parsed = s.servers.map(parseServer);
  const opts: ClientOptions = {
    servers: parsed.map((p) => p.server),
    name: "jsplan",
    timeout: s.timeoutMs,
    // The client captures a stack trace for every request unless told not to: thousands of list and create
    // requests would pay for traces that only ever show up in a bug report.
    noAsyncTraces: true,
    // A plan or apply is short: a few quick reconnect attempts ride out a leader change, not an outage. A
    // watch outlives outages: it keeps trying, once a second (the client adds jitter).
    maxReconnectAttempts: s.reconnectForever ? -1 : 3,
    reconnectTimeWait: s.reconnectForever ? 1000 : 250,
    // A server that stops answering without closing the connection (frozen, or a network that drops
    // packets) is noticed by unanswered pings: two missed, a ping every request timeout (2 s at least), and
    // the client moves to another server of the list while the writer confirms and repeats its request
    // (for up to four timeouts). The client's default of two minutes would outlast every request.
    pingInterval: Math.max(2000, s.timeoutMs),
    maxPingOut: 2,
    ...(s.inboxPrefix ? { inboxPrefix: s.inboxPrefix } : {}),
  };
  addUserOrToken(opts, s, parsed);
  await addAuthenticator(opts, s);
  await addTls(opts, s);
  return opts;
}

/** A user and password, or a token: from the settings, else from the first URL that has them. */
function addUserOrToken(
  opts: ClientOptions,
  s: ConnectionSettings,
  parsed: ReturnType<typeof parseServer>[],
) {
  const urlUser = parsed.find((p) => p.user !== undefined);
  const user = s.user ?? urlUser?.user;
  const pass = s.user !== undefined ? s.password : (s.password ?? urlUser?.pass);
  if (user !== undefined && pass !== undefined) {
    opts.user = user;
    opts.pass = pass;
  } else if (user !== undefined && s.token === undefined) {
    // `nats://token@host` (and `--user TOKEN` alone) is the token form.
    opts.token = user;
  }
  if (s.token !== undefined) opts.token = s.token;
}

/** A creds file, an nkey seed file or an inline user JWT, in that order; read and checked before connecting. */
async function addAuthenticator(opts: ClientOptions, s: ConnectionSettings): Promise<void> {
  if (s.creds) {
    const { jwt, seed } = parseCreds(await readSecretFile(s.creds, "creds file"), s.creds);
    opts.authenticator = jwtAuthenticator(jwt, new TextEncoder().encode(seed));
  } else if (s.nkey) {
    const seed = parseSeedFile(await readSecretFile(s.nkey, "nkey seed file"), s.nkey);
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  } else if (s.userJwt) {
    if (s.userSeed !== undefined) checkSeed(s.userSeed, "the user_seed of the context");
    opts.authenticator = jwtAuthenticator(
      s.userJwt,
      s.userSeed === undefined ? undefined : new TextEncoder().encode(s.userSeed),
    );
  }
}

async function addTls(opts: ClientOptions, s: ConnectionSettings): Promise<void> {
  const wantsTls =
    s.tls?.ca || s.tls?.cert || s.tls?.key || s.tls?.first || s.servers.some((u) => /^tls:\/\//i.test(u));
  if (!wantsTls) return;
  if ((s.tls?.cert && !s.tls.key) || (!s.tls?.cert && s.tls?.key)) {
    throw new ConnectionFailure(
      "a TLS client certificate needs both --tlscert and --tlskey (NATS_CERT and NATS_KEY, or cert and key in the context)",
    );
  }
  // The client reads these only while connecting, and says no more than "<path> doesn't exist".
  for (const [file, what] of [
    [s.tls?.ca, "TLS CA file (--tlsca)"],
    [s.tls?.cert, "TLS client certificate (--tlscert)"],
    [s.tls?.key, "TLS client key (--tlskey)"],
  ] as const) {
    if (file) await checkReadable(file, what);
  }
  opts.tls = {
    ...(s.tls?.ca ? { caFile: s.tls.ca } : {}),
    ...(s.tls?.cert ? { certFile: s.tls.cert } : {}),
    ...(s.tls?.key ? { keyFile: s.tls.key } : {}),
    ...(s.tls?.first ? { handshakeFirst: true } : {}),
  };
}
