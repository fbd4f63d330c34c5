// Connection flags with the `nats` CLI's names and environment variables. Flags override the environment,
// the environment overrides the context.
//
// Every value-taking flag has `nargs: 1`: without it, a password or token that starts with "-" is parsed as
// a bundle of short flags, and yargs's "Unknown arguments: …" would print the secret.

import type { Options } from "yargs";
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS } from "../connection/defaults.js";
import { ContextError, expandPath, loadContext } from "../connection/natscli-context.js";
import type { ConnectionSettings } from "../connection/settings.js";
import { parseDuration } from "../model/units.js";
import { ExitError } from "./exit-error.js";

export const CONNECTION_OPTIONS = {
  server: {
    alias: "s",
    type: "string",
    nargs: 1,
    describe: "NATS server URLs, comma-separated (NATS_URL)",
    group: "Connection:",
  },
  context: {
    type: "string",
    nargs: 1,
    describe: "natscli context name or file (NATS_CONTEXT; default: the selected context)",
    group: "Connection:",
  },
  "no-context": {
    type: "boolean",
    describe: "Use no natscli context, not even the selected one (as natscli's --no-context)",
    group: "Connection:",
  },
  creds: { type: "string", nargs: 1, describe: "User credentials file (NATS_CREDS)", group: "Connection:" },
  nkey: { type: "string", nargs: 1, describe: "User NKEY seed file (NATS_NKEY)", group: "Connection:" },
  user: { type: "string", nargs: 1, describe: "Username or token (NATS_USER)", group: "Connection:" },
  password: { type: "string", nargs: 1, describe: "Password (NATS_PASSWORD)", group: "Connection:" },
  token: { type: "string", nargs: 1, describe: "Authentication token (NATS_TOKEN)", group: "Connection:" },
  tlscert: {
    type: "string",
    nargs: 1,
    describe: "TLS client certificate file (NATS_CERT)",
    group: "Connection:",
  },
  tlskey: { type: "string", nargs: 1, describe: "TLS client key file (NATS_KEY)", group: "Connection:" },
  tlsca: {
    type: "string",
    nargs: 1,
    describe: "TLS certificate authority file (NATS_CA)",
    group: "Connection:",
  },
  tlsfirst: {
    type: "boolean",
    describe: "TLS handshake before the NATS protocol (server handshake_first)",
    group: "Connection:",
  },
  "js-domain": { type: "string", nargs: 1, describe: "JetStream domain", group: "Connection:" },
  "js-api-prefix": {
    type: "string",
    nargs: 1,
    describe: "JetStream API subject prefix (instead of a domain)",
    group: "Connection:",
  },
  timeout: {
    type: "string",
    nargs: 1,
    describe: "Connection and request timeout, e.g. 5s (NATS_TIMEOUT)",
    group: "Connection:",
  },
} as const satisfies Record<string, Options>;

export interface ConnectionFlags {
  server?: string;
  context?: string;
  "no-context"?: boolean;
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

/** Where a value came from; a higher level wins. */
const FLAG = 3;
const ENV = 2;
const CONTEXT = 1;

interface Picked<T> {
  readonly value: T | undefined;
  readonly level: number;
}

/** A flag given twice arrives as an array; like the `nats` CLI, the last one counts. */
function lastOfEach(flags: ConnectionFlags): ConnectionFlags {
  const out: Record<string, unknown> = { ...flags };
  for (const k of Object.keys(CONNECTION_OPTIONS)) {
    const v = out[k];
    if (Array.isArray(v)) out[k] = v[v.length - 1];
  }
  return out as ConnectionFlags;
}

export function resolveConnection(given: ConnectionFlags, env: Env): ConnectionSettings {
  const flags = lastOfEach(given);
  let ctx: ReturnType<typeof loadContext>;
  try {
    // yargs reads --no-context as the negation of --context (context: false); "no-context" is declared for
    // the help text.
    ctx =
      flags["no-context"] || (flags.context as unknown) === false
        ? undefined
        : loadContext(nonEmpty(flags.context) ?? nonEmpty(env.NATS_CONTEXT), env);
  } catch (err) {
    if (err instanceof ContextError) throw new ExitError(1, `jsplan: ${err.message}`);
    throw err;
  }
  const pick = (
    flag: string | undefined,
    envName: string,
    fromContext: string | undefined,
  ): Picked<string> =>
    flag !== undefined
      ? { value: flag, level: FLAG }
      : nonEmpty(env[envName]) !== undefined
        ? { value: env[envName], level: ENV }
        : fromContext !== undefined
          ? { value: fromContext, level: CONTEXT }
          : { value: undefined, level: 0 };
  const url = pick(flags.server, "NATS_URL", ctx?.url);
  const timeoutText = pick(flags.timeout, "NATS_TIMEOUT", undefined).value;
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
  if (flags["js-domain"] && flags["js-api-prefix"]) {
    throw new ExitError(
      1,
      'jsplan: --js-domain and --js-api-prefix cannot be used together\nRun "jsplan --help" for usage.',
    );
  }
  // A flag for one of the two clears the context's other one; an empty --js-domain clears the context's.
  const domain =
    flags["js-api-prefix"] !== undefined ? undefined : (flags["js-domain"] ?? ctx?.jetstream_domain);
  const prefix =
    flags["js-domain"] !== undefined ? undefined : (flags["js-api-prefix"] ?? ctx?.jetstream_api_prefix);
  const cert = file(pick(flags.tlscert, "NATS_CERT", ctx?.cert).value);
  const key = file(pick(flags.tlskey, "NATS_KEY", ctx?.key).value);
  const ca = file(pick(flags.tlsca, "NATS_CA", ctx?.ca).value);
  const first = flags.tlsfirst ?? ctx?.tls_first;

  // One way to say who we are. Each value follows flags > environment > context on its own, but a user given
  // as a flag must not be paired with a creds file from the context: the identity given at the highest level
  // wins, and on a tie natscli's order (user, creds, nkey, user_jwt) decides. A token is added to whichever.
  const user = pick(flags.user, "NATS_USER", ctx?.user);
  const password = pick(flags.password, "NATS_PASSWORD", ctx?.password);
  const creds = pick(flags.creds, "NATS_CREDS", ctx?.creds);
  const nkey = pick(flags.nkey, "NATS_NKEY", ctx?.nkey);
  const jwtLevel = ctx?.user_jwt !== undefined ? CONTEXT : 0;
  const candidates = [
    { kind: "user", level: user.value !== undefined ? Math.max(user.level, password.level) : 0 },
    { kind: "creds", level: creds.level },
    { kind: "nkey", level: nkey.level },
    { kind: "jwt", level: jwtLevel },
  ].filter((c) => c.level > 0);
  const identity = candidates.reduce<(typeof candidates)[number] | undefined>(
    (best, c) => (best === undefined || c.level > best.level ? c : best),
    undefined,
  )?.kind;

  const settings: ConnectionSettings = {
    servers: (url.value ?? DEFAULT_SERVER)
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
    timeoutMs,
    ...(identity === "user"
      ? { ...defined("user", user.value), ...defined("password", password.value) }
      : identity === undefined
        ? defined("password", password.value)
        : {}),
    ...defined("token", pick(flags.token, "NATS_TOKEN", ctx?.token).value),
    ...(identity === "creds" ? defined("creds", file(creds.value)) : {}),
    ...(identity === "nkey" ? defined("nkey", file(nkey.value)) : {}),
    ...(identity === "jwt"
      ? { ...defined("userJwt", ctx?.user_jwt), ...defined("userSeed", ctx?.user_seed) }
      : {}),
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
    ...defined("jsDomain", domain),
    ...defined("jsApiPrefix", prefix),
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
