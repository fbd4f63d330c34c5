// Why connecting failed, in one or two lines that say what happened and what to do. The client reports
// most failures as a chain of errors with Node's and OpenSSL's codes in it; a table of cases reads them.
// A timeout or a dropped connection says too little on its own: one TCP look at the server's greeting
// tells the usual causes apart.

import net from "node:net";
import { credentialsInUse } from "./credentials.js";
import type { ConnectionSettings } from "./settings.js";
import { splitUrl } from "./url.js";
import { fromWhere, seconds } from "./wording.js";

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

/** A failed connection attempt, as the cases below read it. */
interface Failed {
  readonly err: unknown;
  /** The error codes along the cause chain. */
  readonly codes: ReadonlySet<string>;
  /** The servers, redacted. */
  readonly where: string;
  /** How long the attempt took, as `after 1.2s`. */
  readonly after: string;
  readonly s: ConnectionSettings;
}

interface ConnectCase {
  /** Any of these codes along the cause chain selects the case… */
  readonly codes?: readonly string[];
  /** …and so does this text in the names, messages and reasons along it. */
  readonly text?: RegExp;
  readonly say: (f: Failed) => string | Promise<string>;
}

/** The first case that matches explains the failure: credentials, then TLS, then the network, then silence. */
const CONNECT_CASES: readonly ConnectCase[] = [
  {
    text: /UserAuthenticationExpired|authentication expired/i,
    say: ({ where, s }) =>
      `the server at ${where} refused ${credentialsInUse(s)}: the user's credentials have expired; get a new creds file${fromWhere(s)}`,
  },
  {
    text: /Authorization Violation|AuthorizationError|authentication/i,
    say: ({ where, s }) => {
      const offered = credentialsInUse(s);
      return offered === "no credentials"
        ? `the server at ${where} wants credentials and none were given: pass --creds, --nkey, --user and --password, or --token, or select a natscli context with --context${fromWhere(s)}`
        : `the server at ${where} refused the credentials (${offered}): check them${s.source ? `, or the context in use (${s.source})` : ""}`;
    },
  },
  {
    codes: [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "UNABLE_TO_GET_ISSUER_CERT",
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "CERT_UNTRUSTED",
      "CERT_SIGNATURE_FAILURE",
    ],
    say: ({ where, s }) =>
      s.tls?.ca
        ? `the server's certificate at ${where} is not trusted: the CA file given (--tlsca ${s.tls.ca}) did not sign it; pass the CA that did${fromWhere(s)}`
        : `the server's certificate at ${where} is not trusted (it is not signed by a public CA): pass the CA that signed it with --tlsca (NATS_CA)${fromWhere(s)}`,
  },
  {
    codes: ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"],
    say: ({ where, codes }) =>
      `the server's certificate at ${where} is ${codes.has("CERT_HAS_EXPIRED") ? "expired" : "not valid yet"}; renew it on the server, or check this machine's clock`,
  },
  {
    codes: ["ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"],
    say: ({ where }) =>
      `the server's certificate is not valid for the address ${where}: connect by a host name or IP address the certificate lists`,
  },
  {
    codes: [
      "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
      "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
      "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    ],
    text: /alert certificate required|alert bad certificate|alert unknown ca/i,
    say: ({ where, s }) =>
      s.tls?.cert
        ? `the server at ${where} refused the TLS client certificate (--tlscert ${s.tls.cert}): it must be signed by a CA the server trusts${fromWhere(s)}`
        : `the server at ${where} requires a TLS client certificate: pass it with --tlscert and --tlskey (NATS_CERT and NATS_KEY)${fromWhere(s)}`,
  },
  {
    codes: ["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"],
    text: /wrong version number/i,
    say: ({ where, s }) =>
      s.tls?.first
        ? `the server at ${where} does not expect TLS first (it answered in plain text): drop --tlsfirst (or tls_first in the context)`
        : `TLS with ${where} failed: the server did not answer with TLS; check the address and port`,
  },
  {
    text: /tls.*not available|not available on this server/i,
    say: ({ where }) =>
      `the server at ${where} does not offer TLS, but TLS was asked for (--tlsca, --tlscert, --tlskey, --tlsfirst or a tls:// URL): drop those, or enable TLS on the server`,
  },
  {
    codes: ["ECONNREFUSED"],
    text: /connection refused/i,
    say: ({ where, after, s }) =>
      `cannot connect to ${where}: connection refused ${after} (nothing listens there). Is the server running? Set the address with -s/--server or NATS_URL${fromWhere(s)}`,
  },
  {
    codes: ["ENOTFOUND", "EAI_AGAIN"],
    text: /getaddrinfo|ENOTFOUND/i,
    say: ({ where, s }) =>
      `cannot connect to ${where}: the host name does not resolve; check -s/--server or NATS_URL${fromWhere(s)}`,
  },
  {
    codes: ["EHOSTUNREACH", "ENETUNREACH"],
    say: ({ where, after }) =>
      `cannot connect to ${where}: no route to the host ${after}; check the address and the network`,
  },
  {
    codes: ["ECONNRESET", "EPIPE"],
    text: /timeout|timed out|undefined error|ECONNRESET|socket hang up|EPIPE/i,
    say: async ({ where, after, s }) => describeSilence(where, after, s, await probe(s)),
  },
  {
    text: /ssl|tls|certificate/i,
    say: ({ err, where, s }) => `TLS with ${where} failed: ${tlsReason(err)}${fromWhere(s)}`,
  },
];

export async function describeConnectError(
  err: unknown,
  where: string,
  ms: number,
  s: ConnectionSettings,
): Promise<string> {
  const { text, codes } = errorText(err);
  const known = CONNECT_CASES.find((c) => c.codes?.some((x) => codes.has(x)) || c.text?.test(text));
  if (known) return known.say({ err, codes, where, after: `after ${seconds(ms)}`, s });
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
