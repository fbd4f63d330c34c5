// Opening a connection the way the `nats` CLI does, and turning every way it can fail into one or two lines
// that say what happened and what to do. Secrets (passwords, tokens, seeds, creds) never appear in a message:
// URLs are printed redacted, and a value that looks like a secret is never echoed, even where a path belongs.

import { access, readFile } from "node:fs/promises";
import net from "node:net";
import {
  type ConnectionOptions,
  connect,
  jwtAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
  nkeys,
} from "@nats-io/transport-node";
import { type AccountInfoWire, readAccount, type ServerInfoLike } from "../observe/observe.js";
import { JsApi, JsApiError, JsTransportError } from "./js-api.js";

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
  /** A user JWT and seed given inline (natscli contexts' `user_jwt` and `user_seed`). */
  readonly userJwt?: string;
  readonly userSeed?: string;
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
function splitUrl(url: string): UrlParts {
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
function parseServer(url: string): { server: string; user?: string; pass?: string } {
  const p = splitUrl(url);
  const server = `${p.scheme}${p.host}`;
  if (p.userinfo === undefined || p.userinfo === "") return { server };
  const colon = p.userinfo.indexOf(":");
  if (colon === -1) return { server, user: decode(p.userinfo) };
  return { server, user: decode(p.userinfo.slice(0, colon)), pass: decode(p.userinfo.slice(colon + 1)) };
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

/** Which credentials were offered, in words for a message; never their values. */
function credentialsInUse(s: ConnectionSettings): string {
  if (s.creds) return "the creds file";
  if (s.nkey) return "the nkey seed";
  if (s.userJwt) return "the user JWT of the context";
  if (s.user !== undefined && s.password !== undefined) return "the user and password";
  if (s.token !== undefined) return "the token";
  if (s.user !== undefined) return "the user (as a token)";
  const url = s.servers.map(parseServer).find((p) => p.user !== undefined);
  if (url) return url.pass !== undefined ? "the user and password in the URL" : "the token in the URL";
  return "no credentials";
}

/**
 * True for a value that is a secret rather than a path: an nkey seed, a JWT, a creds or PEM text. A path
 * option given such a value must not echo it back in "no such file".
 */
export function looksSecret(value: string): boolean {
  return (
    /\bS[OAUNCPX][A-Z2-7]{50,}\b/.test(value) ||
    /eyJ[\w-]{8,}\.[\w-]{8,}\./.test(value) ||
    /-----BEGIN /.test(value) ||
    /[\r\n]/.test(value)
  );
}

function shownPath(path: string): string {
  return looksSecret(path) ? "(a value that looks like a secret itself, not a file name; not shown)" : path;
}

const NKEY_SEED = /^SU[A-Z2-7]{50,}$/;

/** The JWT and seed of a creds file, as nats.go reads it: the first and second `---…---` framed blocks. */
function parseCreds(text: string, path: string): { jwt: string; seed: string } {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n|\r/)
    .map((l) => l.trim());
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^-{3,}[^-]*BEGIN[^-]*-{3,}$/.test(lines[i]!)) {
      const value = lines.slice(i + 1).find((l) => l !== "");
      if (value !== undefined) blocks.push(value);
    }
  }
  const [jwt, seed] = blocks;
  if (!jwt || !seed || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt) || !NKEY_SEED.test(seed)) {
    throw new ConnectionFailure(
      `the creds file ${shownPath(path)} is not a NATS user credentials file: it needs a "BEGIN NATS USER JWT" and a "BEGIN USER NKEY SEED" block (nsc and nats context save write them)`,
    );
  }
  checkSeed(seed, `the seed in the creds file ${shownPath(path)}`);
  return { jwt, seed };
}

function checkSeed(seed: string, what: string): void {
  try {
    nkeys.fromSeed(new TextEncoder().encode(seed));
  } catch {
    throw new ConnectionFailure(`${what} is not a valid user nkey seed (a checksum or encoding error)`);
  }
}

/** An nkey seed file holds the seed alone (`nsc` .nk files) or framed; the first user seed in it counts. */
function parseSeedFile(text: string, path: string): string {
  if (/BEGIN NATS USER JWT/.test(text)) {
    throw new ConnectionFailure(
      `the nkey file ${shownPath(path)} is a creds file (it holds a user JWT): pass it with --creds instead`,
    );
  }
  const seed = text.split(/\s+/).find((w) => NKEY_SEED.test(w));
  if (!seed) {
    throw new ConnectionFailure(
      `the nkey file ${shownPath(path)} holds no user nkey seed (a word starting with SU); --nkey takes the seed file, and a creds file goes to --creds`,
    );
  }
  checkSeed(seed, `the seed in the nkey file ${shownPath(path)}`);
  return seed;
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
  const pass = s.user !== undefined ? s.password : (s.password ?? urlUser?.pass);
  if (user !== undefined && pass !== undefined) {
    opts.user = user;
    opts.pass = pass;
  } else if (user !== undefined && s.token === undefined) {
    // `nats://token@host` (and `--user TOKEN` alone) is the token form.
    opts.token = user;
  }
  if (s.token !== undefined) opts.token = s.token;
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
  const wantsTls =
    s.tls?.ca || s.tls?.cert || s.tls?.key || s.tls?.first || s.servers.some((u) => /^tls:\/\//i.test(u));
  if (wantsTls) {
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
  return opts;
}

function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a folder";
  return code ?? "unreadable";
}

async function checkReadable(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch (err) {
    throw new ConnectionFailure(`cannot read the ${what} ${shownPath(path)}: ${fileProblem(err)}`);
  }
}

async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const hint = looksSecret(path)
      ? `; ${what === "creds file" ? "--creds" : "--nkey"} takes the path of a file, not its content`
      : "";
    throw new ConnectionFailure(`cannot read the ${what} ${shownPath(path)}: ${fileProblem(err)}${hint}`);
  }
}

export async function openSession(s: ConnectionSettings): Promise<Session> {
  const where = s.servers.map(redactUrl).join(", ");
  const options = await buildOptions(s);
  const started = Date.now();
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (err) {
    const ms = Date.now() - started;
    throw new ConnectionFailure(await describeConnectError(err, where, ms, s), { cause: err });
  }
  const api = new JsApi(nc, { prefix: apiPrefix(s), timeout: s.timeoutMs });
  const raw = (nc as unknown as { info?: ServerInfoLike & { domain?: string } }).info;
  let account: AccountInfoWire;
  try {
    account = await readAccount(api);
  } catch (err) {
    await nc.close().catch(() => {});
    throw new ConnectionFailure(describeJetStreamError(err, where, s, raw?.domain), { cause: err });
  }
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

/** Names, codes and messages along an error's cause chain. */
function errorText(err: unknown): { text: string; codes: Set<string> } {
  const parts: string[] = [];
  const codes = new Set<string>();
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e === "object") {
      const x = e as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown; cause?: unknown };
      parts.push(String(x.name ?? ""), String(x.message ?? ""), String(x.reason ?? ""));
      if (typeof x.code === "string") codes.add(x.code);
      e = x.cause;
    } else {
      parts.push(String(e));
      e = undefined;
    }
  }
  return { text: parts.join(" "), codes };
}

const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Where a context or the environment may be the reason: said once, at the end of a message. */
function fromWhere(s: ConnectionSettings): string {
  return s.source ? ` (settings from ${s.source})` : "";
}

async function describeConnectError(
  err: unknown,
  where: string,
  ms: number,
  s: ConnectionSettings,
): Promise<string> {
  const { text, codes } = errorText(err);
  const has = (...c: string[]) => c.some((x) => codes.has(x));
  const after = `after ${seconds(ms)}`;
  if (/UserAuthenticationExpired|authentication expired/i.test(text)) {
    return `the server at ${where} refused ${credentialsInUse(s)}: the user's credentials have expired; get a new creds file${fromWhere(s)}`;
  }
  if (/Authorization Violation|AuthorizationError|authentication/i.test(text)) {
    const offered = credentialsInUse(s);
    return offered === "no credentials"
      ? `the server at ${where} wants credentials and none were given: pass --creds, --nkey, --user and --password, or --token, or select a natscli context with --context${fromWhere(s)}`
      : `the server at ${where} refused the credentials (${offered}): check them${s.source ? `, or the context in use (${s.source})` : ""}`;
  }
  if (has(...UNTRUSTED)) {
    return s.tls?.ca
      ? `the server's certificate at ${where} is not trusted: the CA file given (--tlsca ${s.tls.ca}) did not sign it; pass the CA that did${fromWhere(s)}`
      : `the server's certificate at ${where} is not trusted (it is not signed by a public CA): pass the CA that signed it with --tlsca (NATS_CA)${fromWhere(s)}`;
  }
  if (has("CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID")) {
    return `the server's certificate at ${where} is ${has("CERT_HAS_EXPIRED") ? "expired" : "not valid yet"}; renew it on the server, or check this machine's clock`;
  }
  if (has("ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH")) {
    return `the server's certificate is not valid for the address ${where}: connect by a host name or IP address the certificate lists`;
  }
  if (
    has(
      "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
      "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
      "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    ) ||
    /alert certificate required|alert bad certificate|alert unknown ca/i.test(text)
  ) {
    return s.tls?.cert
      ? `the server at ${where} refused the TLS client certificate (--tlscert ${s.tls.cert}): it must be signed by a CA the server trusts${fromWhere(s)}`
      : `the server at ${where} requires a TLS client certificate: pass it with --tlscert and --tlskey (NATS_CERT and NATS_KEY)${fromWhere(s)}`;
  }
  if (
    has("ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG") ||
    /wrong version number/i.test(text)
  ) {
    return s.tls?.first
      ? `the server at ${where} does not expect TLS first (it answered in plain text): drop --tlsfirst (or tls_first in the context)`
      : `TLS with ${where} failed: the server did not answer with TLS; check the address and port`;
  }
  if (/tls.*not available|not available on this server/i.test(text)) {
    return `the server at ${where} does not offer TLS, but TLS was asked for (--tlsca, --tlscert, --tlskey, --tlsfirst or a tls:// URL): drop those, or enable TLS on the server`;
  }
  if (has("ECONNREFUSED") || /connection refused/i.test(text)) {
    return `cannot connect to ${where}: connection refused ${after} (nothing listens there). Is the server running? Set the address with -s/--server or NATS_URL${fromWhere(s)}`;
  }
  if (has("ENOTFOUND", "EAI_AGAIN") || /getaddrinfo|ENOTFOUND/i.test(text)) {
    return `cannot connect to ${where}: the host name does not resolve; check -s/--server or NATS_URL${fromWhere(s)}`;
  }
  if (has("EHOSTUNREACH", "ENETUNREACH")) {
    return `cannot connect to ${where}: no route to the host ${after}; check the address and the network`;
  }
  if (
    /timeout|timed out|undefined error|ECONNRESET|socket hang up|EPIPE/i.test(text) ||
    has("ECONNRESET", "EPIPE")
  ) {
    return describeSilence(where, after, s, await probe(s));
  }
  if (/ssl|tls|certificate/i.test(text)) {
    return `TLS with ${where} failed: ${tlsReason(err)}${fromWhere(s)}`;
  }
  return `cannot connect to ${where}: ${firstLine((err as Error)?.message ?? String(err))}${fromWhere(s)}`;
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

function tlsReason(err: unknown): string {
  const e = err as { reason?: unknown; message?: unknown; cause?: { reason?: unknown; message?: unknown } };
  const reason = e?.reason ?? e?.cause?.reason;
  if (typeof reason === "string" && reason !== "") return reason;
  // OpenSSL messages are `<hex>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>`.
  const msg = String(e?.message ?? err);
  const m = /:SSL routines:[^:]*:([^:]+):/.exec(msg);
  return m ? m[1]! : firstLine(msg);
}

type ProbeResult =
  | { kind: "greeting"; info: { tls_required?: boolean; tls_verify?: boolean; auth_required?: boolean } }
  | { kind: "silent" | "closed" | "refused" | "unreachable" | "skipped" };

/**
 * After a connection timed out or was dropped: one plain TCP look at the server's greeting tells apart the
 * usual causes (a client certificate the server wants, TLS first on one side only, not a NATS port). Only
 * ever run after a failure, and only for a single server.
 */
async function probe(s: ConnectionSettings): Promise<ProbeResult> {
  if (s.servers.length !== 1) return { kind: "skipped" };
  const hostPort = splitUrl(s.servers[0]!).host.replace(/\/.*$/, "");
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(hostPort);
  if (!m) return { kind: "skipped" };
  const host = m[1] || "127.0.0.1";
  const port = Number(m[2] ?? 4222);
  // A server sends its INFO as soon as it accepts; half a second covers slow links without making the
  // failure much slower to report.
  const waitMs = Math.min(500, s.timeoutMs);
  return new Promise<ProbeResult>((resolve) => {
    let data = "";
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const socket = net.connect({ host, port });
    let connected = false;
    const timer = setTimeout(() => done({ kind: connected ? "silent" : "unreachable" }), waitMs);
    socket.on("connect", () => {
      connected = true;
    });
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const end = data.indexOf("\r\n");
      if (end === -1 && data.length < 65536) return;
      const line = end === -1 ? data : data.slice(0, end);
      const json = /^INFO\s+(\{.*\})\s*$/.exec(line);
      if (!json) return done({ kind: "silent" });
      try {
        done({ kind: "greeting", info: JSON.parse(json[1]!) });
      } catch {
        done({ kind: "silent" });
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) =>
      done({ kind: e.code === "ECONNREFUSED" ? "refused" : connected ? "closed" : "unreachable" }),
    );
    socket.on("close", () => done({ kind: connected ? "closed" : "unreachable" }));
  });
}

function describeSilence(where: string, after: string, s: ConnectionSettings, p: ProbeResult): string {
  const raise = "or raise --timeout";
  switch (p.kind) {
    case "greeting":
      if (s.tls?.first) {
        return `the server at ${where} does not expect TLS first (it greets in plain text): drop --tlsfirst (or tls_first in the context)`;
      }
      if (p.info.tls_verify && !s.tls?.cert) {
        return `the server at ${where} requires a TLS client certificate: pass it with --tlscert and --tlskey (NATS_CERT and NATS_KEY)${fromWhere(s)}`;
      }
      return `cannot connect to ${where}: the server greeted but did not complete the connection ${after}; check the TLS settings and credentials, ${raise}`;
    case "silent":
    case "closed":
      return s.tls?.first
        ? `cannot connect to ${where}: no TLS answer ${after}; check the address and that the server has TLS with handshake_first, ${raise}`
        : `cannot connect to ${where}: the connection opened but no NATS greeting came ${after}. The server may be stopped or overloaded (raise --timeout); if it expects TLS first (handshake_first), pass --tlsfirst; otherwise check that the address is a NATS client port`;
    case "refused":
      return `cannot connect to ${where}: connection refused ${after} (nothing listens there). Is the server running?`;
    default:
      return `cannot connect to ${where}: no answer ${after}; check the address and the network, ${raise}`;
  }
}

function describeJetStreamError(
  err: unknown,
  where: string,
  s: ConnectionSettings,
  serverDomain: string | undefined,
): string {
  if (err instanceof JsTransportError) {
    if (err.kind === "no-responders") {
      if (s.jsDomain) {
        const known =
          serverDomain && serverDomain !== s.jsDomain
            ? `; the server's own JetStream domain is "${serverDomain}"`
            : "";
        return `JetStream is not available at ${where} in domain "${s.jsDomain}": nothing answers on ${err.subject}${known}. Check --js-domain (or jetstream_domain in the context), and that JetStream is enabled`;
      }
      if (s.jsApiPrefix) {
        return `JetStream is not available at ${where} under the API prefix "${s.jsApiPrefix}": nothing answers on ${err.subject}. Check --js-api-prefix (or jetstream_api_prefix in the context)`;
      }
      return `JetStream is not available at ${where}: nothing answers on ${err.subject}. Enable JetStream on the server (jetstream {} in its config, or -js), or connect to one that has it`;
    }
    if (err.kind === "permission") return describePermission(err, where, s);
    if (err.kind === "timeout")
      return `JetStream at ${where} did not answer on ${err.subject} within ${seconds(s.timeoutMs)}; the cluster may have no leader yet, or raise --timeout`;
    return `JetStream at ${where} failed: ${err.message}`;
  }
  if (err instanceof JsApiError) {
    if (err.errCode === 10039)
      return `JetStream is not enabled for this account at ${where}; ask the operator to give the account JetStream limits${fromWhere(s)}`;
    return `JetStream at ${where} answered with an error: ${err.description} (${err.errCode})`;
  }
  return `JetStream at ${where} failed: ${(err as Error)?.message ?? String(err)}`;
}

/** The client's PermissionViolationError says whether the publish or the reply subscription was refused. */
function describePermission(err: JsTransportError, where: string, s: ConnectionSettings): string {
  let e: unknown = err.cause;
  let violation: { operation?: string; subject?: string } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    const x = e as { name?: string; operation?: string; subject?: string; cause?: unknown };
    if (x.name === "PermissionViolationError") violation = x;
    e = x.cause;
  }
  const inbox = s.inboxPrefix ?? "_INBOX";
  if (violation?.operation && violation.operation !== "publish") {
    return `permission denied at ${where}: the user may not subscribe to its reply subjects (${violation.subject ?? `${inbox}.>`}); it needs subscribe permission on ${inbox}.>, or set inbox_prefix in the context to a prefix it may use`;
  }
  const subject = violation?.subject ?? err.subject;
  return `permission denied at ${where}: the user may not publish to ${subject}; jsplan needs publish permission on ${apiPrefix(s)}.> and subscribe permission on ${inbox}.>`;
}
