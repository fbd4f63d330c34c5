// The calls that change JetStream. Exact API use matters here:
// - a stream update sends the whole desired config (STREAM.UPDATE replaces the config, so a field left out
//   returns to its default, which is how removing a field from the manifest works);
// - consumers are created with action "create" and changed with action "update", so an update can never
//   create and a create can never overwrite;
// - on servers that support it (2.11+), requests are pedantic: the server refuses instead of silently
//   adjusting a value.

import { type JsApi, JsApiError, JsTransportError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";

interface StreamInfoResponse {
  config: StreamConfig;
  created: string;
}

interface ConsumerInfoResponse {
  config: ConsumerConfig;
  created: string;
}

export interface WriterOptions {
  /**
   * The apply's interruption (Ctrl-C): a write in flight is not confirmed and sent again after it. Without it,
   * Ctrl-C against a frozen server waited out all the repeats (20 s by default) while saying it was stopping.
   */
  readonly signal?: AbortSignal;
}

export class JetStreamWriter {
  readonly #pedantic: boolean;
  readonly #signal: AbortSignal | undefined;

  constructor(
    readonly api: JsApi,
    version: Version,
    options: WriterOptions = {},
  ) {
    this.#pedantic = atLeast(version, "2.11.0");
    this.#signal = options.signal;
  }

  private body(config: object): object {
    return this.#pedantic ? { ...config, pedantic: true } : config;
  }

  async createStream(config: StreamConfig): Promise<StreamConfig> {
    const create = () =>
      this.again(`STREAM.INFO.${config.name}`, () =>
        this.api.request<StreamInfoResponse>(`STREAM.CREATE.${config.name}`, this.body(config)),
      );
    // A stream deleted while another is created (independent steps run together) makes the server remove
    // the account's empty store folders in the background, under the new stream's feet: its create fails
    // with 10049 "error creating store for stream" (nats-server 2.10 and 2.15, about 1 in 50 such pairs).
    // Nothing was created then, and a create is idempotent: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return (await create()).config;
      } catch (err) {
        const storeRace = err instanceof JsApiError && err.errCode === ApiErrorCode.StreamCreate;
        if (!storeRace || attempt >= 3) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /**
   * `originReleased`: this apply dropped a mirror or source of the stream. Its hidden consumer on the stream
   * lingers for about 10 s on 2.10 (see createConsumer), and a consumer_limits change is checked against
   * it too (10069 "change to limits violates consumers: <its name>"), so that refusal is tried again for
   * up to 15 s; without a released origin it fails at once.
   */
  async updateStream(config: StreamConfig, opts: { originReleased?: boolean } = {}): Promise<StreamConfig> {
    const r = await this.whileOriginLingers(
      opts.originReleased,
      (err) => /violates consumers/.test(err.message),
      () =>
        this.again(`STREAM.INFO.${config.name}`, () =>
          this.api.request<StreamInfoResponse>(`STREAM.UPDATE.${config.name}`, this.body(updatable(config))),
        ),
    );
    return r.config;
  }

  /**
   * Sends, and while the server refuses with an error that `lingering` recognises (the hidden consumer of a
   * mirror or source this apply dropped), sends again every 500 ms for up to 15 s. Without a released
   * origin such an error is final, and fails at once.
   */
  private async whileOriginLingers<T>(
    originReleased: boolean | undefined,
    lingering: (err: JsApiError) => boolean,
    send: () => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return await send();
      } catch (err) {
        const retry = originReleased && err instanceof JsApiError && lingering(err);
        if (!retry || Date.now() > deadline || this.#signal?.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /**
   * In a cluster, the answer to a stream or consumer write comes from that stream's (or consumer's) leader.
   * When the leader steps down or dies while the write is on its way, the change is usually committed but
   * nobody answers. Every create and update jsplan sends is idempotent (a whole config; a create of an
   * identical config succeeds), so after a timeout: wait until `probe` (its INFO) is answered again, by a
   * new leader, then send the same request again.
   *
   * Again and again, within one bound: when the meta leader dies, the probe (answered by the
   * stream's leader) can come back before a new meta leader is elected, and the repeated write times out
   * once more; seen with R3 streams when the node jsplan was connected to, the meta leader, was killed.
   * The bound is four request timeouts from the first send (20 s by default: a raft election takes 4-9 s),
   * so --timeout also bounds how long a frozen server is waited for. A connection closed for good ends the
   * wait at once: nothing can answer on it.
   */
  private async again<T>(probe: string, send: () => Promise<T>): Promise<T> {
    const timeout = this.api.options.timeout;
    const started = Date.now();
    const deadline = started + 4 * timeout;
    let more = 0;
    // "no answer within 2s" alone would not explain a step that took ten: say it was asked again.
    const giveUp = (err: JsTransportError) =>
      more === 0
        ? err
        : new JsTransportError(
            `${err.message}, nor to ${more} more request${more === 1 ? "" : "s"} in ${Math.round((Date.now() - started) / 1000)}s`,
            err.kind,
            err.subject,
            { cause: err },
          );
    for (let first = true; ; first = false) {
      try {
        if (!first) more++;
        return await send();
      } catch (err) {
        if (!(err instanceof JsTransportError) || err.kind !== "timeout") throw err;
        if (Date.now() > deadline || this.#signal?.aborted) throw giveUp(err);
        for (;;) {
          if (this.#signal?.aborted) throw giveUp(err);
          try {
            more++;
            await this.api.request(probe, undefined, Math.min(2000, timeout));
            break;
          } catch (e) {
            if (e instanceof JsApiError) break; // answered (e.g. not found): someone leads again
            if (e instanceof JsTransportError && e.kind === "connection") throw e;
            if (Date.now() > deadline) throw giveUp(err);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  }

  /**
   * Waits (bounded) until a scaled or moved stream has a leader and all its replicas are current again. A
   * stream that does not settle in time is left to the steps after it, which report what they meet.
   */
  async waitSettled(name: string, replicas: number, timeoutMs = 30_000): Promise<void> {
    await this.pollUntil(timeoutMs, async () => {
      const info = await this.api.request<{
        cluster?: { leader?: string; replicas?: Array<{ current: boolean }>; desired?: unknown };
      }>(`STREAM.INFO.${name}`, undefined, 2000);
      if (!info.cluster) return true;
      const peers = info.cluster.replicas ?? [];
      // 2.15 reports a scale or move still in progress as `desired` ("waiting for peer set to settle"), also
      // after the leader already has its new peers; a placement change before it is gone fails with 10226.
      return (
        Boolean(info.cluster.leader) &&
        info.cluster.desired === undefined &&
        peers.length === replicas - 1 &&
        peers.every((p) => p.current) &&
        // Its consumers follow the stream's replicas and elect leaders of their own.
        (await this.consumersSettled(name))
      );
    });
  }

  /**
   * Waits (bounded) until a scaled consumer has a leader and all its replicas are current, so that a stream
   * scaled down after it does not resize a raft group still in flux. Like waitSettled, a consumer that does
   * not settle in time is left to the steps after it.
   */
  async waitConsumerSettled(stream: string, name: string, timeoutMs = 30_000): Promise<void> {
    await this.pollUntil(timeoutMs, async () => {
      const info = await this.api.request<{
        config?: { num_replicas?: number };
        cluster?: { leader?: string; replicas?: Array<{ current: boolean }> };
      }>(`CONSUMER.INFO.${stream}.${name}`, undefined, 2000);
      if (!info.cluster) return true;
      const peers = info.cluster.replicas ?? [];
      const wanted = info.config?.num_replicas ?? 0;
      // A consumer with num_replicas 0 follows its stream's replica count, which is settled elsewhere.
      const sized = wanted === 0 || peers.length === wanted - 1;
      return Boolean(info.cluster.leader) && sized && peers.every((p) => p.current);
    });
  }

  /**
   * Asks `settled` every 250 ms until it says yes or `timeoutMs` have passed. A request that fails (no
   * leader yet, a timeout) counts as not yet. Gives up silently: what is not settled is left to the steps
   * after it, which report what they meet.
   */
  private async pollUntil(timeoutMs: number, settled: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if (await settled()) return;
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
    await this.idempotent(`STREAM.DELETE.${name}`, `STREAM.INFO.${name}`);
  }

  /**
   * A delete may be sent again after a timeout, as creates and updates are (see again): deleting twice has
   * the same effect as once (the second answers "not found", which the caller treats as done).
   */
  private async idempotent(suffix: string, probe: string): Promise<void> {
    await this.again(probe, () => this.api.request(suffix));
  }

  /**
   * `originReleased`: this apply dropped a mirror or source of `stream` (deleted the stream that held it,
   * or updated it away). Before nats-server 2.14 such a mirror or source holds a hidden consumer on its
   * origin that the work-queue rules count, and it lingers for about 10 s after the mirror or source is
   * gone (seen on 2.10.27: the create fails with 10099 or 10100, then succeeds 10 s later). So the create is
   * tried again on those codes for up to 15 s; without a released origin, they fail at once.
   */
  async createConsumer(
    stream: string,
    config: ConsumerConfig,
    opts: { originReleased?: boolean } = {},
  ): Promise<ConsumerConfig> {
    return this.whileOriginLingers(
      opts.originReleased,
      (err) =>
        err.errCode === ApiErrorCode.ConsumerWQMultipleUnfiltered ||
        err.errCode === ApiErrorCode.ConsumerWQConsumerNotUnique,
      () => this.consumerRequest(stream, config, "create"),
    );
  }

  async updateConsumer(stream: string, config: ConsumerConfig): Promise<ConsumerConfig> {
    return this.consumerRequest(stream, config, "update");
  }

  /**
   * Pauses a consumer until a time, or resumes it (`until` undefined), through the server's pause API
   * (2.11+): a consumer update keeps the pause it has. Setting the same pause again is harmless.
   */
  async pauseConsumer(stream: string, name: string, until: string | undefined): Promise<void> {
    await this.again(`CONSUMER.INFO.${stream}.${name}`, () =>
      this.api.request(`CONSUMER.PAUSE.${stream}.${name}`, until === undefined ? {} : { pause_until: until }),
    );
  }

  async deleteConsumer(stream: string, name: string): Promise<void> {
    await this.idempotent(`CONSUMER.DELETE.${stream}.${name}`, `CONSUMER.INFO.${stream}.${name}`);
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

/**
 * A sealed counter or schedules stream: sealing makes the server store discard "new", but it checks the
 * request before it seals, and refuses discard "new" on such a stream (10052 "counter stream cannot use
 * discard new", "message scheduling cannot use discard new"). So an update that seals (or keeps sealed) such
 * a stream says discard "old" (nats-server 2.12+; seen on 2.15.1, pedantic or not).
 */
function updatable(config: StreamConfig): StreamConfig {
  return config.sealed && (config.allow_msg_counter || config.allow_msg_schedules) && config.discard === "new"
    ? { ...config, discard: "old" }
    : config;
}
