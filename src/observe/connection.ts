// Opening a connection the way the `nats` CLI does, and turning every way it can fail into one or two lines
// that say what happened and what to do. Secrets (passwords, tokens, seeds, creds) never appear in a message.

import { readFile } from "node:fs/promises";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { JsApi, JsApiError, JsTransportError } from "./js-api.js";
import { type AccountInfoWire, readAccount, type ServerInfoLike } from "./observe.js";

export interface TlsSettings {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  /** TLS handshake before the NATS INFO (the server's `handshake_first`). */
  readonly first?: boolean;
}

/** Everything needed to reach JetStream, resolved from flags, environment and the natscli context. */
export interface ConnectionSettings {
  readonly servers: readonly string[];
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly tls?: TlsSettings;
  readonly jsDomain?: string;
  readonly jsApiPrefix?: string;
  readonly inboxPrefix?: string;
  /** Connection and request timeout in ms. */
  readonly timeoutMs: number;
  /** Where the settings came from, for messages (e.g. `context "prod"`). */
  readonly source?: string;
}

export { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS } from "./defaults.js";

/** A server URL with any user, password or token replaced, safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)?[^/@\s]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ""}***@`);
}

export class ConnectionFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionFailure";
  }
}

export interface Session {
  readonly nc: NatsConnection;
  readonly api: JsApi;
  readonly info: ServerInfoLike;
  readonly account: AccountInfoWire;
  /** The servers as printable text. */
  readonly where: string;
  /** True while the connection is down (disconnected, or closed for good). */
  connectionLost(): boolean;
  close(): Promise<void>;
}

function apiPrefix(s: ConnectionSettings): string {
  if (s.jsApiPrefix) return s.jsApiPrefix.replace(/\.$/, "");
  if (s.jsDomain) return `$JS.${s.jsDomain}.API`;
  return "$JS.API";
}

/** Splits `user:pass@host` out of a URL: the client library wants them separately. */
function parseServer(url: string): { server: string; user?: string; pass?: string } {
  const m = /^([a-z]+:\/\/)?(?:([^:@/\s]*)(?::([^@/\s]*))?@)?(.+)$/i.exec(url.trim());
  if (!m) return { server: url };
  const server = `${m[1] ?? ""}${m[4]}`;
  return {
    server,
    ...(m[2] ? { user: decodeURIComponent(m[2]) } : {}),
    ...(m[3] !== undefined ? { pass: decodeURIComponent(m[3]) } : {}),
  };
}

async function buildOptions(s: ConnectionSettings): Promise<ConnectionOptions> {
  const parsed = s.servers.map(parseServer);
  const opts: ConnectionOptions & { tls?: Record<string, unknown> | null } = {
    servers: parsed.map((p) => p.server),
    name: "jsplan",
    timeout: s.timeoutMs,
    // The client captures a stack trace for every request unless told not to: thousands of list and create
    // requests would pay for traces that only ever show up in a bug report.
    noAsyncTraces: true,
    // A plan or apply is short: a few quick reconnect attempts ride out a leader change, not an outage.
    maxReconnectAttempts: 3,
    reconnectTimeWait: 250,
    ...(s.inboxPrefix ? { inboxPrefix: s.inboxPrefix } : {}),
  };
  const urlUser = parsed.find((p) => p.user !== undefined);
  const user = s.user ?? urlUser?.user;
  const pass = s.password ?? urlUser?.pass;
  if (user !== undefined && pass !== undefined) {
    opts.user = user;
    opts.pass = pass;
  } else if (user !== undefined && s.token === undefined) {
    // `nats://token@host` is the token form of a URL.
    opts.token = user;
  }
  if (s.token !== undefined) opts.token = s.token;
  if (s.creds) {
    const text = await readSecretFile(s.creds, "creds file");
    // natscli writes LF, but creds files edited on Windows have CRLF, which the parser refuses.
    opts.authenticator = credsAuthenticator(new TextEncoder().encode(text.replace(/\r\n/g, "\n")));
  } else if (s.nkey) {
    const seed = (await readSecretFile(s.nkey, "nkey seed file")).trim();
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  const wantsTls =
    s.tls?.ca || s.tls?.cert || s.tls?.key || s.tls?.first || s.servers.some((u) => /^tls:\/\//i.test(u));
  if (wantsTls) {
    if ((s.tls?.cert && !s.tls.key) || (!s.tls?.cert && s.tls?.key)) {
      throw new ConnectionFailure("a TLS client certificate needs both --tlscert and --tlskey");
    }
    opts.tls = {
      ...(s.tls?.ca ? { caFile: s.tls.ca } : {}),
      ...(s.tls?.cert ? { certFile: s.tls.cert } : {}),
      ...(s.tls?.key ? { keyFile: s.tls.key } : {}),
      ...(s.tls?.first ? { handshakeFirst: true } : {}),
    };
  }
  return opts;
}

async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConnectionFailure(
      `cannot read the ${what} ${path}: ${code === "ENOENT" ? "no such file" : (code ?? String(err))}`,
    );
  }
}

export async function openSession(s: ConnectionSettings): Promise<Session> {
  const where = s.servers.map(redactUrl).join(", ");
  const started = Date.now();
  let nc: NatsConnection;
  try {
    nc = await connect(await buildOptions(s));
  } catch (err) {
    if (err instanceof ConnectionFailure) throw err;
    throw new ConnectionFailure(describeConnectError(err, where, Date.now() - started, s), { cause: err });
  }
  const api = new JsApi(nc, { prefix: apiPrefix(s), timeout: s.timeoutMs });
  let account: AccountInfoWire;
  try {
    account = await readAccount(api);
  } catch (err) {
    await nc.close().catch(() => {});
    throw new ConnectionFailure(describeJetStreamError(err, where, s), { cause: err });
  }
  const raw = (nc as unknown as { info?: ServerInfoLike }).info;
  const info: ServerInfoLike = raw ?? { version: "0.0.0" };
  let down = false;
  let closed = false;
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === "disconnect") down = true;
      else if (st.type === "reconnect") down = false;
    }
  })().catch(() => {});
  void nc.closed().then(() => {
    closed = true;
  });
  return {
    nc,
    api,
    info,
    account,
    where,
    connectionLost: () => down || closed,
    close: async () => {
      await nc.close().catch(() => {});
    },
  };
}

function describeConnectError(err: unknown, where: string, ms: number, s: ConnectionSettings): string {
  const e = err as Error & { code?: string };
  const text = `${e?.name ?? ""} ${e?.message ?? String(err)} ${String((e as { cause?: unknown })?.cause ?? "")}`;
  const after = `after ${(ms / 1000).toFixed(1)}s`;
  if (/Authorization Violation|authorization|authentication/i.test(text)) {
    return `the server at ${where} refused the credentials (${s.creds ? "--creds" : s.nkey ? "--nkey" : s.token ? "--token" : s.user ? "--user/--password" : "none given"}); check them, or the context in use${s.source ? ` (${s.source})` : ""}`;
  }
  if (/self[- ]signed|unable to verify|certificate|CERT_|tls/i.test(text)) {
    return `TLS with ${where} failed: ${e.message}; trust the server's CA with --tlsca, or give a client certificate with --tlscert and --tlskey`;
  }
  if (/refused|ECONNREFUSED/i.test(text)) {
    return `cannot connect to ${where}: connection refused ${after}. Is the server running? Set the address with -s/--server or NATS_URL`;
  }
  if (/timeout|timed out/i.test(text)) {
    return `cannot connect to ${where}: no answer ${after}; check the address and the network, or raise --timeout`;
  }
  if (/ENOTFOUND|getaddrinfo|EAI_AGAIN/i.test(text)) {
    return `cannot connect to ${where}: the host name does not resolve; check -s/--server or NATS_URL`;
  }
  return `cannot connect to ${where}: ${e?.message ?? String(err)}`;
}

function describeJetStreamError(err: unknown, where: string, s: ConnectionSettings): string {
  if (err instanceof JsTransportError) {
    if (err.kind === "no-responders") {
      const domain = s.jsDomain
        ? ` in JetStream domain "${s.jsDomain}"`
        : s.jsApiPrefix
          ? ` under API prefix "${s.jsApiPrefix}"`
          : "";
      return `JetStream is not available at ${where}${domain}: nothing answers on ${err.subject}. Is JetStream enabled on the server${s.jsDomain ? ", and is the domain right" : ""}?`;
    }
    if (err.kind === "permission")
      return `permission denied at ${where}: ${err.message}; the user needs to publish to $JS.API.> and subscribe to _INBOX.>`;
    if (err.kind === "timeout")
      return `JetStream at ${where} did not answer on ${err.subject} within ${s.timeoutMs / 1000}s; the cluster may have no leader yet, or raise --timeout`;
    return `JetStream at ${where} failed: ${err.message}`;
  }
  if (err instanceof JsApiError) {
    if (err.errCode === 10039)
      return `JetStream is not enabled for this account at ${where}; ask the operator to give the account JetStream limits`;
    return `JetStream at ${where} answered with an error: ${err.description} (${err.errCode})`;
  }
  return `JetStream at ${where} failed: ${(err as Error)?.message ?? String(err)}`;
}
