// Connection settings from flags, the environment and the natscli context, with the `nats` CLI's names and
// precedence: flags override the environment, the environment overrides the context.

import { parseDuration } from "../model/units.js";
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { ConnectionSettingsError } from "./errors.js";
import { expandPath, loadContext, type NatsContext } from "./natscli-context.js";
import type { ConnectionSettings } from "./settings.js";

/** The connection flags, by their `nats` CLI names (the CLI's option table declares each of them). */
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

interface Picked {
  readonly value: string | undefined;
  readonly level: number;
}

type StringKeys<T> = { [K in keyof T]-?: T[K] extends string | undefined ? K : never }[keyof T];

/** The values that follow flags > environment > context, each with its flag, variable and context key. */
const LOOKUPS = {
  url: ["server", "NATS_URL", "url"],
  timeout: ["timeout", "NATS_TIMEOUT", undefined],
  cert: ["tlscert", "NATS_CERT", "cert"],
  key: ["tlskey", "NATS_KEY", "key"],
  ca: ["tlsca", "NATS_CA", "ca"],
  user: ["user", "NATS_USER", "user"],
  password: ["password", "NATS_PASSWORD", "password"],
  creds: ["creds", "NATS_CREDS", "creds"],
  nkey: ["nkey", "NATS_NKEY", "nkey"],
  token: ["token", "NATS_TOKEN", "token"],
} as const satisfies Record<
  string,
  readonly [StringKeys<ConnectionFlags>, string, StringKeys<NatsContext> | undefined]
>;

type Lookups = { readonly [K in keyof typeof LOOKUPS]: Picked };

/**
 * The settings to connect with. Throws a ConnectionSettingsError for a bad --timeout, --js-domain with
 * --js-api-prefix, or a natscli context that cannot be used.
 */
export function resolveConnection(given: ConnectionFlags, env: Env): ConnectionSettings {
  const flags = lastOfEach(given);
  const ctx = selectedContext(flags, env);
  return settingsOf(flags, lookUp(flags, env, ctx), ctx, env);
}

/**
 * The settings of a target that a manifest file names (`context: NAME`): the context alone says how to
 * connect, so that the environment's NATS_URL or NATS_USER (meant for the default target) cannot send one
 * account's resources to another. Only the timeout (--timeout, NATS_TIMEOUT) applies to every target.
 */
export function resolveNamedContext(name: string, given: ConnectionFlags, env: Env): ConnectionSettings {
  const flags = lastOfEach(given);
  const ctx = loadContext(name, env);
  const v = lookUp({}, {}, ctx);
  const timeout = lookUp(flags, env, ctx).timeout;
  return settingsOf({}, { ...v, timeout }, ctx, env);
}

function settingsOf(
  flags: ConnectionFlags,
  v: Lookups,
  ctx: NatsContext | undefined,
  env: Env,
): ConnectionSettings {
  const timeoutMs = parseTimeout(v.timeout);
  if (flags["js-domain"] && flags["js-api-prefix"]) {
    throw new ConnectionSettingsError("--js-domain and --js-api-prefix cannot be used together", "usage");
  }
  return {
    servers: (v.url.value ?? DEFAULT_SERVER)
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
    timeoutMs,
    ...credentials(v, ctx, env),
    ...tls(v, flags.tlsfirst ?? ctx?.tls_first, env),
    // A flag for one of the two clears the context's other one; an empty --js-domain clears the context's.
    ...defined(
      "jsDomain",
      flags["js-api-prefix"] !== undefined ? undefined : (flags["js-domain"] ?? ctx?.jetstream_domain),
    ),
    ...defined(
      "jsApiPrefix",
      flags["js-domain"] !== undefined ? undefined : (flags["js-api-prefix"] ?? ctx?.jetstream_api_prefix),
    ),
    ...defined("inboxPrefix", ctx?.inbox_prefix),
    ...(ctx ? { context: ctx.name, source: `context "${ctx.name}"` } : {}),
  };
}

/** A flag given twice arrives as an array; like the `nats` CLI, the last one counts. */
function lastOfEach(flags: ConnectionFlags): ConnectionFlags {
  const out: Record<string, unknown> = { ...flags };
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v)) out[k] = v[v.length - 1];
  }
  return out as ConnectionFlags;
}

function lookUp(flags: ConnectionFlags, env: Env, ctx: NatsContext | undefined): Lookups {
  const picked: Record<string, Picked> = {};
  for (const [name, [flag, variable, key]] of Object.entries(LOOKUPS)) {
    const fromContext = key === undefined ? undefined : ctx?.[key];
    picked[name] =
      flags[flag] !== undefined
        ? { value: flags[flag], level: FLAG }
        : nonEmpty(env[variable]) !== undefined
          ? { value: env[variable], level: ENV }
          : fromContext !== undefined
            ? { value: fromContext, level: CONTEXT }
            : { value: undefined, level: 0 };
  }
  return picked as Lookups;
}

function selectedContext(flags: ConnectionFlags, env: Env): NatsContext | undefined {
  // yargs reads --no-context as the negation of --context (context: false); "no-context" is declared for the
  // help text.
  return flags["no-context"] || (flags.context as unknown) === false
    ? undefined
    : loadContext(nonEmpty(flags.context) ?? nonEmpty(env.NATS_CONTEXT), env);
}

/** A path from a flag, the environment or the context, with `~` and `$VAR` expanded. */
function expanded(value: string | undefined, env: Env): string | undefined {
  return value === undefined ? undefined : expandPath(value, env);
}

/** Who we are: the chosen identity's settings, and a token with whichever it is. */
function credentials(v: Lookups, ctx: NatsContext | undefined, env: Env): Partial<ConnectionSettings> {
  const identity = chooseIdentity(v, ctx);
  return {
    ...(identity === "user"
      ? { ...defined("user", v.user.value), ...defined("password", v.password.value) }
      : identity === undefined
        ? defined("password", v.password.value)
        : {}),
    ...defined("token", v.token.value),
    ...(identity === "creds" ? defined("creds", expanded(v.creds.value, env)) : {}),
    ...(identity === "nkey" ? defined("nkey", expanded(v.nkey.value, env)) : {}),
    ...(identity === "jwt"
      ? { ...defined("userJwt", ctx?.user_jwt), ...defined("userSeed", ctx?.user_seed) }
      : {}),
  };
}

function tls(v: Lookups, first: boolean | undefined, env: Env): Pick<ConnectionSettings, "tls"> {
  const cert = expanded(v.cert.value, env);
  const key = expanded(v.key.value, env);
  const ca = expanded(v.ca.value, env);
  if (!(cert || key || ca || first)) return {};
  return {
    tls: {
      ...defined("cert", cert),
      ...defined("key", key),
      ...defined("ca", ca),
      ...(first ? { first: true } : {}),
    },
  };
}

/** `--timeout 5s`, or a bare number of seconds as natscli takes it; milliseconds, at least 1. */
/** --timeout or NATS_TIMEOUT; a bad value is reported under the name it was given by. */
function parseTimeout(picked: Picked): number {
  const text = picked.value;
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const r = parseDuration(/^\d+(\.\d+)?$/.test(text) ? `${text}s` : text);
  if (!r.ok || r.value <= 0) {
    const fromEnv = picked.level === ENV;
    throw new ConnectionSettingsError(
      `${fromEnv ? "NATS_TIMEOUT" : "--timeout"} must be a duration such as 5s or 30s (got "${text}")`,
      fromEnv ? "context" : "usage",
    );
  }
  return Math.max(1, Math.round(r.value / 1e6));
}

/**
 * One way to say who we are. Each value follows flags > environment > context on its own, but a user given
 * as a flag must not be paired with a creds file from the context: the identity given at the highest level
 * wins, and on a tie natscli's order (user, creds, nkey, user_jwt) decides. A token is added to whichever.
 */
function chooseIdentity(
  v: Lookups,
  ctx: NatsContext | undefined,
): "user" | "creds" | "nkey" | "jwt" | undefined {
  const candidates = [
    { kind: "user", level: v.user.value !== undefined ? Math.max(v.user.level, v.password.level) : 0 },
    { kind: "creds", level: v.creds.level },
    { kind: "nkey", level: v.nkey.level },
    { kind: "jwt", level: ctx?.user_jwt !== undefined ? CONTEXT : 0 },
  ] as const;
  return candidates
    .filter((c) => c.level > 0)
    .reduce<(typeof candidates)[number] | undefined>(
      (best, c) => (best === undefined || c.level > best.level ? c : best),
      undefined,
    )?.kind;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function defined<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}
