/**
 * How commands end early: with an exit code and a message for the user (no stack trace). Only the entry
 * point turns it into a process exit, so commands stay testable as plain async functions.
 */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ExitError";
  }
}
