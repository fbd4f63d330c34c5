// What it takes to reach JetStream, once flags, environment and the natscli context have been resolved.

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
  /**
   * Keep reconnecting for as long as the process runs (jsplan watch), instead of the few quick attempts
   * that ride out a leader change in a plan or apply.
   */
  readonly reconnectForever?: boolean;
  /** The natscli context the settings came from, when one was used. */
  readonly context?: string;
  /** Where the settings came from, for messages (e.g. `context "prod"`). */
  readonly source?: string;
}
