// The observe stage: the live state of the account, read through the list APIs in pages (every stream
// with its config and state, then the consumers of each stream that has any, with bounded concurrency),
// plus the server's identity and the account's limits. The only code that reads from NATS.

import { type JsApi, JsApiError } from "../connection/js-api.js";
import { type AccountInfoWire, type ServerInfoLike, serverIdentity } from "../connection/session.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { LEASE_STREAM } from "../jetstream/lease.js";
import { consumerAddress } from "../model/address.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import type {
  AccountLimits,
  ObservedConsumer,
  ObservedState,
  ObservedStream,
  UnavailableStream,
} from "../model/observed.js";
import { readLeaseHolder } from "./lease.js";

interface StreamInfoWire {
  config: StreamConfig;
  created: string;
  state?: {
    messages: number;
    bytes: number;
    consumer_count: number;
    first_seq?: number;
    first_ts?: string;
    last_seq?: number;
  };
  /** The server's time when it gathered the info. */
  ts?: string;
}

interface StreamListPage {
  total: number;
  offset: number;
  limit: number;
  streams: StreamInfoWire[] | null;
  /** Streams whose leader did not answer in time (clustered servers). */
  missing?: string[];
  /** Streams the server knows are offline, with the reason (2.12+). */
  offline?: Record<string, string>;
}

interface ConsumerInfoWire {
  name: string;
  stream_name: string;
  config: ConsumerConfig;
  created: string;
}

interface ConsumerListPage {
  total: number;
  offset: number;
  limit: number;
  consumers: ConsumerInfoWire[] | null;
  missing?: string[];
  offline?: Record<string, string>;
}

export interface ObserveOptions {
  /** CONSUMER.LIST requests in flight at once. */
  readonly concurrency?: number;
  /** Read only these streams (and their consumers), e.g. for `--target` or a saved plan's check. */
  readonly onlyStreams?: ReadonlySet<string>;
}

export const DEFAULT_READ_CONCURRENCY = 32;

export async function observe(
  api: JsApi,
  info: ServerInfoLike,
  account: AccountInfoWire,
  options: ObserveOptions = {},
): Promise<ObservedState> {
  const { streams, suspect } = await readStreamPages(api, options.onlyStreams);
  // jsplan's own lock is never a resource: not planned, not unmanaged, not exported.
  const leaseConfig = streams.get(LEASE_STREAM)?.config;
  const leasePresent = streams.delete(LEASE_STREAM) || suspect.delete(LEASE_STREAM);
  const leaseRead = leasePresent ? readLeaseHolder(api) : Promise.resolve(null);
  const unavailable = await confirmSuspects(api, streams, suspect, options.onlyStreams);
  const { consumers, ephemeral } = await readConsumers(
    api,
    streams,
    unavailable,
    options.concurrency ?? DEFAULT_READ_CONCURRENCY,
  );
  return {
    server: serverIdentity(info, account),
    limits: account.limits ?? {},
    ...(isTiered(account) ? { tiers: tiersOf(account) } : {}),
    readAt: new Date().toISOString(),
    streams,
    consumers,
    unavailable: [...unavailable.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    ephemeral,
    lease: {
      present: leasePresent,
      holder: await leaseRead,
      ...(leaseConfig ? { config: leaseConfig as unknown as Record<string, unknown> } : {}),
    },
  };
}

/**
 * Every stream (of `only`, when given) from STREAM.LIST, and the streams the list could not describe. An R1
 * stream whose server is down comes back in `streams` with zeroed state *and* in `missing`; a stream that is
 * electing a leader (just scaled or moved) is missing for a few seconds. Either way its listed config
 * cannot be trusted until STREAM.INFO confirms it.
 */
async function readStreamPages(
  api: JsApi,
  only: ReadonlySet<string> | undefined,
): Promise<{ streams: Map<string, ObservedStream>; suspect: Map<string, string> }> {
  const streams = new Map<string, ObservedStream>();
  const suspect = new Map<string, string>();
  const take = (page: StreamListPage) => {
    for (const s of page.streams ?? []) {
      if (only && !only.has(s.config.name)) continue;
      streams.set(s.config.name, toObserved(s));
    }
    for (const name of page.missing ?? []) suspect.set(name, "its leader did not answer");
    for (const [name, reason] of Object.entries(page.offline ?? {})) suspect.set(name, `offline: ${reason}`);
  };
  // The first page says how many there are; the rest are fetched together. Offsets index the server's own
  // sorted list, so streams reported as missing leave no gap and cause no overlap.
  const first = await api.read<StreamListPage>("STREAM.LIST", { offset: 0 });
  take(first);
  const limit = first.limit > 0 ? first.limit : 256;
  const offsets: number[] = [];
  for (let o = limit; o < first.total; o += limit) offsets.push(o);
  const pages = await Promise.all(
    offsets.map((offset) => api.read<StreamListPage>("STREAM.LIST", { offset })),
  );
  for (const p of pages) take(p);
  return { streams, suspect };
}

/**
 * Asks STREAM.INFO about each suspect stream: one that answers replaces its listed entry in `streams`; one
 * that is gone is dropped from it, and so is one that does not answer, which is returned as unavailable.
 */
async function confirmSuspects(
  api: JsApi,
  streams: Map<string, ObservedStream>,
  suspect: ReadonlyMap<string, string>,
  only: ReadonlySet<string> | undefined,
): Promise<Map<string, UnavailableStream>> {
  const unavailable = new Map<string, UnavailableStream>();
  await eachLimited([...suspect.keys()], 8, async (name) => {
    if (only && !only.has(name)) return;
    const confirmed = await confirmStream(api, name);
    if (confirmed === "gone") {
      streams.delete(name);
    } else if (confirmed) {
      streams.set(name, confirmed);
    } else {
      streams.delete(name);
      unavailable.set(name, { name, reason: suspect.get(name)! });
    }
  });
  return unavailable;
}

interface ConsumersRead {
  readonly consumers: Map<string, ObservedConsumer>;
  /** Ephemeral consumers per stream: counted, not kept. */
  readonly ephemeral: Map<string, number>;
}

/**
 * The durable consumers of every stream that has any, `concurrency` streams at a time. A stream some of
 * whose consumers did not answer is added to `unavailable`.
 */
async function readConsumers(
  api: JsApi,
  streams: ReadonlyMap<string, ObservedStream>,
  unavailable: Map<string, UnavailableStream>,
  concurrency: number,
): Promise<ConsumersRead> {
  const into: ConsumersRead = { consumers: new Map(), ephemeral: new Map() };
  const withConsumers = [...streams.values()].filter(
    (s) => s.state === undefined || s.state.consumer_count > 0,
  );
  await eachLimited(withConsumers, concurrency, async (s) => {
    let offset = 0;
    for (;;) {
      let page: ConsumerListPage;
      try {
        page = await api.read<ConsumerListPage>(`CONSUMER.LIST.${s.name}`, { offset });
      } catch (err) {
        // Deleted since it was listed.
        if (err instanceof JsApiError && err.errCode === ApiErrorCode.StreamNotFound) return;
        throw err;
      }
      const items = page.consumers ?? [];
      takeConsumers(s.name, items, into);
      if ((page.missing?.length ?? 0) > 0 || Object.keys(page.offline ?? {}).length > 0) {
        unavailable.set(s.name, { name: s.name, reason: "some of its consumers did not answer" });
      }
      offset += page.limit > 0 ? page.limit : items.length;
      if (items.length === 0 || offset >= page.total) return;
    }
  });
  return into;
}

function takeConsumers(stream: string, items: readonly ConsumerInfoWire[], into: ConsumersRead): void {
  for (const c of items) {
    if (!c.config.durable_name) {
      into.ephemeral.set(stream, (into.ephemeral.get(stream) ?? 0) + 1);
      continue;
    }
    // The server's own consumers behind mirrors and sources (JS_MIRROR_*, JS_SRC_*; 2.14+ lists them).
    if (
      (c.config as { sourcing?: boolean; direct?: boolean }).sourcing ||
      (c.config as { direct?: boolean }).direct
    )
      continue;
    into.consumers.set(consumerAddress(stream, c.name), {
      stream,
      name: c.name,
      config: c.config,
      created: c.created,
    });
  }
}

/** Tiered accounts report tiers and all-zero top-level limits (which would otherwise read as "nothing allowed"). */
function isTiered(account: AccountInfoWire): boolean {
  const l = account.limits ?? {};
  const zero = !l.max_storage && !l.max_memory && !l.max_streams && !l.max_consumers;
  return zero && Object.keys(account.tiers ?? {}).length > 0;
}

function tiersOf(account: AccountInfoWire): Record<string, AccountLimits> {
  return Object.fromEntries(Object.entries(account.tiers ?? {}).map(([name, t]) => [name, t.limits ?? {}]));
}

/** Runs `fn` over `items` with at most `limit` calls in flight; the first failure rejects. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function toObserved(s: StreamInfoWire): ObservedStream {
  return {
    name: s.config.name,
    config: s.config,
    created: s.created,
    ...(s.state
      ? {
          state: {
            messages: s.state.messages,
            bytes: s.state.bytes,
            consumer_count: s.state.consumer_count,
            ...(s.state.first_seq !== undefined ? { first_seq: s.state.first_seq } : {}),
            ...(s.state.first_ts ? { first_ts: s.state.first_ts } : {}),
            ...(s.state.last_seq !== undefined ? { last_seq: s.state.last_seq } : {}),
          },
        }
      : {}),
    ...(s.ts ? { observedAt: s.ts } : {}),
  };
}

/**
 * STREAM.INFO for a stream the list reported as missing: a leader election takes a few seconds, so a
 * few short attempts tell "briefly leaderless" from "down". Undefined means it did not answer.
 */
async function confirmStream(api: JsApi, name: string): Promise<ObservedStream | "gone" | undefined> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const info = await api.request<StreamInfoWire & { cluster?: { leader?: string } }>(
        `STREAM.INFO.${name}`,
        undefined,
        2000,
      );
      // A stream whose leader is gone can still be described from the meta layer, without state.
      if (!info.cluster || info.cluster.leader) return toObserved(info);
    } catch (err) {
      if (err instanceof JsApiError && err.errCode === ApiErrorCode.StreamNotFound) return "gone";
    }
    await new Promise((r) => setTimeout(r, 750));
  }
  return undefined;
}
