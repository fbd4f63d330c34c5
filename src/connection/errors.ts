// The errors of reaching NATS that a user can cause; their messages are meant to be shown as they are.

/** Connecting failed, or JetStream did not answer once connected. The message says what to do. */
export class ConnectionFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionFailure";
  }
}
