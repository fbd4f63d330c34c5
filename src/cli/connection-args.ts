// Connection flags with the `nats` CLI's names and environment variables. Flags override the environment,
// the environment overrides the context.

import type { Options } from "yargs";
import { parseDuration } from "../model/units.js";
import type { ConnectionSettings } from "../observe/connection.js";
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS } from "../observe/defaults.js";
import { ContextError, expandPath, loadContext } from "../observe/natscli-context.js";
import { ExitError } from "./exit-error.js";

export const CONNECTION_OPTIONS = {
  server: {
    alias: "s",
    type: "string",
    describe: "NATS server URLs, comma-separated (NATS_URL)",
    group: "Connection:",
  },
  context: {
    type: "string",
    describe: "natscli context name or file (NATS_CONTEXT; default: the selected context)",
    group: "Connection:",
  },
  creds: { type: "string", describe: "User credentials file (NATS_CREDS)", group: "Connection:" },
  nkey: { type: "string", describe: "User NKEY seed file (NATS_NKEY)", group: "Connection:" },
  user: { type: "string", describe: "Username or token (NATS_USER)", group: "Connection:" },
  password: { type: "string", describe: "Password (NATS_PASSWORD)", group: "Connection:" },
  token: { type: "string", describe: "Authentication token (NATS_TOKEN)", group: "Connection:" },
  tlscert: { type: "string", describe: "TLS client certificate file (NATS_CERT)", group: "Connection:" },
  tlskey: { type: "string", describe: "TLS client key file (NATS_KEY)", group: "Connection:" },
  tlsca: { type: "string", describe: "TLS certificate authority file (NATS_CA)", group: "Connection:" },
  tlsfirst: {
    type: "boolean",
    describe: "TLS handshake before the NATS protocol (server handshake_first)",
    group: "Connection:",
  },
  "js-domain": { type: "string", describe: "JetStream domain", group: "Connection:" },
  "js-api-prefix": {
    type: "string",
    describe: "JetStream API subject prefix (instead of a domain)",
    group: "Connection:",
  },
  timeout: {
    type: "string",
    describe: "Connection and request timeout, e.g. 5s (NATS_TIMEOUT)",
    group: "Connection:",
  },
} as const satisfies Record<string, Options>;

export interface ConnectionFlags {
  server?: string;
  context?: string;
  creds?: string;
  nkey?: string;
  user?: string;
  password?: string;
  token?: string;
  tlscert?: string;
  tlskey?: string;
  tlsca?: string;
  tlsfirst?: boolean;
  "js-domain"?: string;
  "js-api-prefix"?: string;
  timeout?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function resolveConnection(flags: ConnectionFlags, env: Env): ConnectionSettings {
  let ctx: ReturnType<typeof loadContext>;
  try {
    ctx = loadContext(flags.context ?? nonEmpty(env.NATS_CONTEXT), env);
  } catch (err) {
    if (err instanceof ContextError) throw new ExitError(1, `jsplan: ${err.message}`);
    throw err;
  }
  const pick = (flag: string | undefined, envName: string, fromContext: string | undefined) =>
    flag ?? nonEmpty(env[envName]) ?? fromContext;
  const url = pick(flags.server, "NATS_URL", ctx?.url) ?? DEFAULT_SERVER;
  const timeoutText = pick(flags.timeout, "NATS_TIMEOUT", undefined);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    const r = parseDuration(/^\d+(\.\d+)?$/.test(timeoutText) ? `${timeoutText}s` : timeoutText);
    if (!r.ok || r.value <= 0)
      throw new ExitError(
        1,
        `jsplan: --timeout must be a duration such as 5s or 30s (got "${timeoutText}")\nRun "jsplan --help" for usage.`,
      );
    timeoutMs = Math.max(1, Math.round(r.value / 1e6));
  }
  const file = (v: string | undefined) => (v === undefined ? undefined : expandPath(v, env));
  const domain = flags["js-domain"] ?? ctx?.jetstream_domain;
  const prefix = flags["js-api-prefix"] ?? ctx?.jetstream_api_prefix;
  if (flags["js-domain"] && flags["js-api-prefix"]) {
    throw new ExitError(
      1,
      'jsplan: --js-domain and --js-api-prefix cannot be used together\nRun "jsplan --help" for usage.',
    );
  }
  const cert = file(pick(flags.tlscert, "NATS_CERT", ctx?.cert));
  const key = file(pick(flags.tlskey, "NATS_KEY", ctx?.key));
  const ca = file(pick(flags.tlsca, "NATS_CA", ctx?.ca));
  const first = flags.tlsfirst ?? ctx?.tls_first;
  const settings: ConnectionSettings = {
    servers: url
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
    timeoutMs,
    ...defined("user", pick(flags.user, "NATS_USER", ctx?.user)),
    ...defined("password", pick(flags.password, "NATS_PASSWORD", ctx?.password)),
    ...defined("token", pick(flags.token, "NATS_TOKEN", ctx?.token)),
    ...defined("creds", file(pick(flags.creds, "NATS_CREDS", ctx?.creds))),
    ...defined("nkey", file(pick(flags.nkey, "NATS_NKEY", ctx?.nkey))),
    ...(cert || key || ca || first
      ? {
          tls: {
            ...defined("cert", cert),
            ...defined("key", key),
            ...defined("ca", ca),
            ...(first ? { first: true } : {}),
          },
        }
      : {}),
    ...defined("jsDomain", flags["js-api-prefix"] ? undefined : domain),
    ...defined("jsApiPrefix", flags["js-domain"] ? undefined : prefix),
    ...defined("inboxPrefix", ctx?.inbox_prefix),
    ...(ctx ? { source: `context "${ctx.name}"` } : {}),
  };
  return settings;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function defined<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}
