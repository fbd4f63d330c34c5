// What the account holds while the plan's steps run, as nats-server counts it for its limits: each stream's
// storage, replicas, max_bytes and max_consumers, and the consumers it has. Built from the live state, then
// changed step by step in execution order, so that room a delete frees counts only for the steps after it.
//
// The server's rules (nats-server 2.10.27 and 2.15.1, server/jetstream.go checkBytesLimits, stream.go
// update, jetstream_api.go tieredReservation, consumer.go addConsumer):
//  - a stream reserves its max_bytes (× its replicas under flat limits) when max_bytes > 0; one without
//    max_bytes reserves nothing, but its create asks for 1 byte, so a fully reserved account refuses it;
//  - an update asks for the other streams' reservations plus its own new one (2.10: plus the larger of the
//    old and the new max_bytes, -1 counted as it is);
//  - the consumers that count against max_consumers are the stream's own, ephemeral ones included; the
//    server's consumers behind mirrors and sources do not count;
//  - tiered limits (operator mode, jetstream.go selectLimits): a stream meets the limits of the tier named
//    for its replica count (R1, R3 …; none there: refused, 10120); its tier's stream count, and the
//    reservations of the same tier's streams, each counted once (a tier's limits already allow for
//    replication), which is measured on 2.15.1.

import { DEFAULT_LEASE_TTL_MS, LEASE_STREAM, leaseStreamConfig } from "../../jetstream/lease.js";
import type { StreamConfig } from "../../model/jetstream.js";
import type { AccountLimits, ObservedState } from "../../model/observed.js";
import { atLeast, type Version } from "../../model/version.js";

export type Storage = "file" | "memory";

export interface HeldStream {
  readonly name: string;
  readonly storage: Storage;
  readonly replicas: number;
  readonly maxBytes: number;
  readonly maxConsumers: number;
  /** Durable consumers by name. */
  readonly consumers: Set<string>;
  /** Ephemeral consumers seen when the plan was made (they count, and may come and go). */
  ephemeral: number;
  /** The consumer deletions planned so far on this stream: the room they free. */
  readonly freedBy?: string[];
}

/** A stream's share of the account's storage, and the streams that hold it, largest first. */
export interface Reservation {
  readonly total: number;
  readonly holders: ReadonlyArray<readonly [name: string, bytes: number]>;
}

export function heldFrom(
  cfg: StreamConfig | Readonly<Record<string, unknown>>,
): Omit<HeldStream, "ephemeral"> {
  const c = cfg as StreamConfig;
  return {
    name: c.name,
    storage: c.storage === "memory" ? "memory" : "file",
    replicas: Math.max(1, Number(c.num_replicas ?? 1)),
    maxBytes: Number(c.max_bytes ?? -1),
    maxConsumers: Number(c.max_consumers ?? -1),
    consumers: new Set(),
  };
}

/** The limits a stream or consumer meets: the account's flat ones (tier ""), or those of a tier. */
export interface Selected {
  readonly limits: AccountLimits;
  /** "" for flat limits, else the tier's name (R1, R3 …). */
  readonly tier: string;
}

/** Who sets a limit, for a message: "the account", or "the account's R3 tier". */
export function whose(sel: Selected): string {
  return sel.tier ? `the account's ${sel.tier} tier` : "the account";
}

export class Ledger {
  readonly streams = new Map<string, HeldStream>();
  /** Streams the server knows but could not describe: they count as streams, their bytes are unknown. */
  readonly unknown: number;
  /** The stream deletions (and replaces) planned so far: the room they free. */
  readonly freedStreams: string[] = [];
  /**
   * Steps that count on room an earlier deletion frees, with those deletions: they must wait for them, or
   * steps that run at the same time could meet the server before the room is free.
   */
  readonly needs = new Map<string, Set<string>>();

  readonly #flat: AccountLimits;
  readonly #tiers: Readonly<Record<string, AccountLimits>> | undefined;

  constructor(
    observed: ObservedState,
    readonly version: Version,
    readonly clustered: boolean,
  ) {
    this.#flat = observed.limits;
    this.#tiers = observed.tiers;
    for (const o of observed.streams.values()) {
      const ephemeral = observed.ephemeral.get(o.name) ?? 0;
      this.streams.set(o.name, { ...heldFrom(o.config), ephemeral, freedBy: [] });
    }
    for (const k of observed.consumers.values()) this.streams.get(k.stream)?.consumers.add(k.name);
    // jsplan's apply lock is a stream too: the one there, or the one apply creates before its first step.
    const lease = observed.lease;
    if (lease) {
      // As apply makes it: R3 in a cluster, unless a tiered account has no R3 tier (then R1).
      const replicas = clustered && this.select(3) ? 3 : 1;
      const config =
        lease.config ??
        leaseStreamConfig(
          DEFAULT_LEASE_TTL_MS,
          replicas,
          this.select(replicas)?.limits.max_bytes_required ?? false,
        );
      this.streams.set(LEASE_STREAM, { ...heldFrom(config), ephemeral: 0, freedBy: [] });
    }
    this.unknown = observed.unavailable.length;
  }

  get tiered(): boolean {
    return this.#tiers !== undefined;
  }

  /** The tiers the account has, for a message. */
  get tierNames(): string[] {
    return Object.keys(this.#tiers ?? {}).sort();
  }

  /** The limits for a replica count, as the server selects them; undefined when no tier applies (10120). */
  select(replicas: number): Selected | undefined {
    if (!this.#tiers) return { limits: this.#flat, tier: "" };
    const tier = `R${Math.max(1, replicas)}`;
    const limits = this.#tiers[tier];
    return limits ? { limits, tier } : undefined;
  }

  /**
   * The streams that count against the stream limit of `sel` (all of them, or its tier's), with the ones the
   * server knows but could not describe (their replicas are unknown: they count in every tier).
   */
  streamsIn(sel: Selected): { readonly count: number; readonly names: readonly string[] } {
    const names = [...this.streams.values()]
      .filter((s) => !sel.tier || `R${s.replicas}` === sel.tier)
      .map((s) => s.name)
      .sort();
    return { count: names.length + this.unknown, names };
  }

  consumerCount(stream: string): number {
    const s = this.streams.get(stream);
    return s ? s.consumers.size + s.ephemeral : 0;
  }

  /** What the other streams of `storage` (in the tier of `sel`) reserve, as the server counts them for `next`. */
  reservedExcept(next: Omit<HeldStream, "ephemeral">, sel: Selected): Reservation {
    const holders: Array<[string, number]> = [];
    let total = 0;
    for (const s of this.streams.values()) {
      if (s.name === next.name || s.storage !== next.storage || s.maxBytes <= 0) continue;
      if (sel.tier && s.replicas !== next.replicas) continue;
      // 2.10 in a cluster multiplies the others by the replicas of the stream being checked.
      const r = sel.tier
        ? 1
        : this.clustered && !atLeast(this.version, "2.11.0")
          ? next.replicas
          : s.replicas;
      const bytes = s.maxBytes * r;
      holders.push([s.name, bytes]);
      total += bytes;
    }
    holders.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return { total, holders };
  }

  /** What a create asks for on top of the others: its max_bytes, or 1 byte without one. */
  createAsks(next: Omit<HeldStream, "ephemeral">, sel: Selected): number {
    const bytes = next.maxBytes > 0 ? next.maxBytes : 1;
    // 2.10 does not multiply the new stream's bytes by its replicas; 2.11+ does under flat limits.
    return atLeast(this.version, "2.11.0") && !sel.tier ? bytes * next.replicas : bytes;
  }

  /** What an update asks for on top of the others. */
  updateAsks(old: HeldStream, next: Omit<HeldStream, "ephemeral">, sel: Selected): number {
    if (!atLeast(this.version, "2.11.0")) {
      return old.maxBytes + Math.max(next.maxBytes - old.maxBytes, 0);
    }
    return next.maxBytes > 0 ? next.maxBytes * (sel.tier ? 1 : next.replicas) : 0;
  }

  put(next: Omit<HeldStream, "ephemeral">, keepConsumersOf?: HeldStream): void {
    this.streams.set(next.name, {
      ...next,
      consumers: keepConsumersOf?.consumers ?? new Set(),
      ephemeral: keepConsumersOf?.ephemeral ?? 0,
      freedBy: keepConsumersOf?.freedBy ?? [],
    });
  }

  /** `address` counts on the room that `deletions` (earlier steps) free. */
  waitFor(address: string, deletions: readonly string[]): void {
    if (deletions.length === 0) return;
    const known = this.needs.get(address) ?? new Set<string>();
    for (const d of deletions) if (d !== address) known.add(d);
    if (known.size > 0) this.needs.set(address, known);
  }

  remove(name: string): void {
    this.streams.delete(name);
  }
}

/** The limit on bytes of `storage` (-1: none). */
export function byteLimit(limits: AccountLimits, storage: Storage): number {
  const v = storage === "memory" ? limits.max_memory : limits.max_storage;
  return v === undefined ? -1 : v;
}

/** The largest max_bytes one stream of `storage` may have (0 or less: none). */
export function streamByteLimit(limits: AccountLimits, storage: Storage): number {
  return (storage === "memory" ? limits.memory_max_stream_bytes : limits.storage_max_stream_bytes) ?? -1;
}
