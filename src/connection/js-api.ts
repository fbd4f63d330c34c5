// Raw JetStream API requests. We speak the API directly (not through the client's managers) because a
// reconciler needs what the managers hide: pedantic requests, the consumer `action`, full-config updates,
// and the `missing`/`offline` lists of a clustered STREAM.LIST.

import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { formatDuration, MS } from "../model/units.js";

/** An error the JetStream API answered with: `err_code` is the NATS code (10058), `status` the HTTP-like one. */
export class JsApiError extends Error {
  constructor(
    readonly errCode: number,
    readonly status: number,
    readonly description: string,
    readonly subject: string,
  ) {
    super(`${description} (${errCode})`);
    this.name = "JsApiError";
  }
}

/** The request could not be made or was not answered: no server, no JetStream, a timeout, a permission. */
export class JsTransportError extends Error {
  constructor(
    message: string,
    readonly kind: "timeout" | "no-responders" | "permission" | "connection" | "other",
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "JsTransportError";
  }
}

export interface JsApiOptions {
  /** `$JS.API` by default; `$JS.<domain>.API` for a JetStream domain. */
  readonly prefix: string;
  /** Per-request timeout in ms. */
  readonly timeout: number;
}

const encoder = new TextEncoder();

export class JsApi {
  constructor(
    readonly nc: NatsConnection,
    readonly options: JsApiOptions,
  ) {}

  subject(suffix: string): string {
    return `${this.options.prefix}.${suffix}`;
  }

  /** One request; the response body parsed, or a JsApiError / JsTransportError. */
  async request<T>(suffix: string, body?: unknown, timeout = this.options.timeout): Promise<T> {
    const subject = this.subject(suffix);
    const payload = body === undefined ? undefined : encoder.encode(JSON.stringify(body));
    let text: string;
    try {
      const msg = await this.nc.request(subject, payload, { timeout });
      text = msg.string();
    } catch (err) {
      throw transportError(err, subject, timeout);
    }
    let parsed: { error?: { code: number; err_code: number; description: string } } & Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new JsTransportError(`the server sent an unreadable answer on ${subject}`, "other", subject);
    }
    if (parsed.error) {
      throw new JsApiError(
        parsed.error.err_code ?? 0,
        parsed.error.code ?? 0,
        parsed.error.description ?? "error",
        subject,
      );
    }
    return parsed as T;
  }

  /**
   * A JetStream publish (with headers): the stream's acknowledgement, or a JsApiError for a refusal (a wrong
   * expected sequence, a full stream) / JsTransportError when nothing answered. Never retried: a retried
   * publish might be stored twice.
   */
  async publish(subject: string, data: string, headers: MsgHdrs): Promise<{ stream: string; seq: number }> {
    let text: string;
    try {
      const msg = await this.nc.request(subject, encoder.encode(data), {
        timeout: this.options.timeout,
        headers,
      });
      text = msg.string();
    } catch (err) {
      throw transportError(err, subject, this.options.timeout);
    }
    let ack: {
      stream?: string;
      seq?: number;
      error?: { code?: number; err_code?: number; description?: string };
    };
    try {
      ack = JSON.parse(text);
    } catch {
      throw new JsTransportError(`the server sent an unreadable answer on ${subject}`, "other", subject);
    }
    if (ack.error)
      throw new JsApiError(
        ack.error.err_code ?? 0,
        ack.error.code ?? 0,
        ack.error.description ?? "error",
        subject,
      );
    return { stream: ack.stream ?? "", seq: ack.seq ?? 0 };
  }

  /**
   * A read with retries: timeouts and "try again" answers (cluster busy, leader moving) are retried with
   * a growing pause. Writes are never retried here: a retried write might apply twice.
   */
  async read<T>(suffix: string, body?: unknown, attempts = 3): Promise<T> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.request<T>(suffix, body);
      } catch (err) {
        last = err;
        if (!retryable(err) || i === attempts - 1) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** i));
      }
    }
    throw last;
  }
}

function retryable(err: unknown): boolean {
  if (err instanceof JsTransportError) return err.kind === "timeout";
  // 10008: cluster not available (no meta leader yet); 503s are transient by definition, except 10039
  // (JetStream not enabled for the account), which is a 503 that never goes away.
  return (
    err instanceof JsApiError &&
    err.errCode !== ApiErrorCode.NotEnabledForAccount &&
    (err.errCode === ApiErrorCode.ClusterNotAvail || err.status === 503)
  );
}

function transportError(err: unknown, subject: string, timeoutMs: number): JsTransportError {
  const e = err as Error & { code?: string; cause?: unknown };
  const name = e?.name ?? "";
  const cause = e?.cause as (Error & { operation?: string; subject?: string }) | undefined;
  if (name === "TimeoutError" || /timeout/i.test(e?.message ?? "")) {
    // The wait goes into the message: a user facing a frozen or overloaded server needs to know what
    // "in time" meant to decide whether to raise --timeout.
    return new JsTransportError(
      `no answer on ${subject} within ${formatDuration(timeoutMs * MS)}`,
      "timeout",
      subject,
      { cause: err },
    );
  }
  if (cause?.name === "NoResponders" || /no responders/i.test(e?.message ?? "")) {
    return new JsTransportError(`nothing answers on ${subject}`, "no-responders", subject, { cause: err });
  }
  if (cause?.name === "PermissionViolationError" || /permissions violation/i.test(e?.message ?? "")) {
    return new JsTransportError(
      `permission denied: ${cause?.operation === "subscription" ? "subscribing to" : "publishing to"} ${cause?.subject ?? subject}`,
      "permission",
      subject,
      { cause: err },
    );
  }
  if (/closed|disconnect|connection/i.test(e?.message ?? "")) {
    return new JsTransportError(
      `the connection to the server was lost (${e.message})`,
      "connection",
      subject,
      { cause: err },
    );
  }
  return new JsTransportError(e?.message ?? String(err), "other", subject, { cause: err });
}
