// The errors of reaching NATS that a user can cause; their messages are meant to be shown as they are.

/** Connecting failed, or JetStream did not answer once connected. The message says what to do. */
export class ConnectionFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionFailure";
  }
}

/**
 * The flags, environment and natscli context do not add up to connection settings. `usage` is a flag's value
 * or a combination of flags; `context` is the natscli context selected.
 */
export class ConnectionSettingsError extends Error {
  constructor(
    message: string,
    /** usage: a flag is misused (point to --help); context: a context or environment value is wrong. */
    readonly kind: "usage" | "context",
  ) {
    super(message);
    this.name = "ConnectionSettingsError";
  }
}
