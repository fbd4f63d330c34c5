// The calls that change JetStream. Exact API use matters here:
// - a stream update sends the whole desired config (STREAM.UPDATE replaces the config, so a field left out
//   returns to its default, which is how removing a field from the manifest works);
// - consumers are created with action "create" and changed with action "update", so an update can never
//   create and a create can never overwrite;
// - on servers that support it (2.11+), requests are pedantic: the server refuses instead of silently
//   adjusting a value.

import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import { type JsApi, JsApiError, JsTransportError } from "../observe/js-api.js";

interface StreamInfoResponse {
  config: StreamConfig;
  created: string;
}

interface ConsumerInfoResponse {
  config: ConsumerConfig;
  created: string;
}

export class JetStreamWriter {
  readonly #pedantic: boolean;

  constructor(
    readonly api: JsApi,
    version: Version,
  ) {
    this.#pedantic = atLeast(version, "2.11.0");
  }

  private body(config: object): object {
    return this.#pedantic ? { ...config, pedantic: true } : config;
  }

  async createStream(config: StreamConfig): Promise<StreamConfig> {
    const r = await this.again(`STREAM.INFO.${config.name}`, () =>
      this.api.request<StreamInfoResponse>(`STREAM.CREATE.${config.name}`, this.body(config)),
    );
    return r.config;
  }

  async updateStream(config: StreamConfig): Promise<StreamConfig> {
    const r = await this.again(`STREAM.INFO.${config.name}`, () =>
      this.api.request<StreamInfoResponse>(`STREAM.UPDATE.${config.name}`, this.body(config)),
    );
    return r.config;
  }

  /**
   * In a cluster, the answer to a stream or consumer write comes from that stream's (or consumer's) leader.
   * When the leader steps down or dies while the write is on its way, the change is usually committed but
   * nobody answers. Every create and update jsplan sends is idempotent (a whole config; a create of an
   * identical config succeeds), so after a timeout: wait until `probe` (its INFO) is answered again, by a
   * new leader, then send the same request once more.
   */
  private async again<T>(probe: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof JsTransportError) || err.kind !== "timeout") throw err;
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await this.api.request(probe, undefined, 2000);
          break;
        } catch (e) {
          if (e instanceof JsApiError) break; // answered (e.g. not found): someone leads again
          if (Date.now() > deadline) throw err;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return send();
    }
  }

  /**
   * Waits (bounded) until a scaled or moved stream has a leader and all its replicas are current again. A
   * stream that does not settle in time is left to the steps after it, which report what they meet.
   */
  async waitSettled(name: string, replicas: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const info = await this.api.request<{
          cluster?: { leader?: string; replicas?: Array<{ current: boolean }>; desired?: unknown };
        }>(`STREAM.INFO.${name}`, undefined, 2000);
        const peers = info.cluster?.replicas ?? [];
        if (!info.cluster) return;
        // 2.15 reports a scale or move still in progress as `desired` ("waiting for peer set to settle"), also
        // after the leader already has its new peers; a placement change before it is gone fails with 10226.
        if (
          info.cluster.leader &&
          info.cluster.desired === undefined &&
          peers.length === replicas - 1 &&
          peers.every((p) => p.current)
        ) {
          // Its consumers follow the stream's replicas and elect leaders of their own.
          if (await this.consumersSettled(name)) return;
        }
      } catch {
        // No leader yet: ask again.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async consumersSettled(stream: string): Promise<boolean> {
    const page = await this.api.request<{
      consumers: Array<{ cluster?: { leader?: string } }> | null;
      missing?: string[];
    }>(`CONSUMER.LIST.${stream}`, { offset: 0 }, 5000);
    return (
      (page.missing?.length ?? 0) === 0 &&
      (page.consumers ?? []).every((c) => !c.cluster || Boolean(c.cluster.leader))
    );
  }

  async deleteStream(name: string): Promise<void> {
    await this.idempotent(`STREAM.DELETE.${name}`);
  }

  /**
   * A delete is the one write that may be retried after a timeout: deleting twice has the same effect as
   * once (the second answers "not found", which the caller treats as done).
   */
  private async idempotent(suffix: string): Promise<void> {
    try {
      await this.api.request(suffix);
    } catch (err) {
      if (!(err instanceof JsTransportError) || err.kind !== "timeout") throw err;
      await this.api.request(suffix);
    }
  }

  async createConsumer(stream: string, config: ConsumerConfig): Promise<ConsumerConfig> {
    return this.consumerRequest(stream, config, "create");
  }

  async updateConsumer(stream: string, config: ConsumerConfig): Promise<ConsumerConfig> {
    return this.consumerRequest(stream, config, "update");
  }

  async deleteConsumer(stream: string, name: string): Promise<void> {
    await this.idempotent(`CONSUMER.DELETE.${stream}.${name}`);
  }

  private async consumerRequest(
    stream: string,
    config: ConsumerConfig,
    action: "create" | "update",
  ): Promise<ConsumerConfig> {
    const name = config.durable_name ?? config.name;
    const body = { stream_name: stream, config, action, ...(this.#pedantic ? { pedantic: true } : {}) };
    const r = await this.again(`CONSUMER.INFO.${stream}.${name}`, () =>
      this.api.request<ConsumerInfoResponse>(`CONSUMER.CREATE.${stream}.${name}`, body),
    );
    return r.config;
  }
}
