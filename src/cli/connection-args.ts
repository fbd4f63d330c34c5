// Connection flags with the `nats` CLI's names and environment variables (resolved in connection/resolve.ts:
// flags override the environment, the environment overrides the context).
//
// Every value-taking flag has `nargs: 1`: without it, a password or token that starts with "-" is parsed as
// a bundle of short flags, and yargs's "Unknown arguments: …" would print the secret.

import type { Options } from "yargs";
import { ConnectionSettingsError } from "../connection/errors.js";
import { type ConnectionFlags, resolveConnection as resolveSettings } from "../connection/resolve.js";
import type { ConnectionSettings } from "../connection/settings.js";
import { ExitError } from "./exit-error.js";

export type { ConnectionFlags };

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
} as const satisfies Record<keyof ConnectionFlags, Options>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The connection settings for a command: as `connection/resolve.ts` resolves them, with a setting that cannot
 * be resolved ending the command (exit 1) and a misused flag pointing to --help.
 */
export function resolveConnection(flags: ConnectionFlags, env: Env): ConnectionSettings {
  try {
    return resolveSettings(flags, env);
  } catch (err) {
    if (!(err instanceof ConnectionSettingsError)) throw err;
    throw new ExitError(
      1,
      err.kind === "usage"
        ? `jsplan: ${err.message}\nRun "jsplan --help" for usage.`
        : `jsplan: ${err.message}`,
    );
  }
}
