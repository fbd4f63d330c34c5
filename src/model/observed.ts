import type { ConsumerConfig, StreamConfig } from "./jetstream.js";
import type { ObservedLease } from "./lease.js";

/** What the connected server says about itself: the plan is only right for this server. */
export interface ServerIdentity {
  /** e.g. "2.15.1" */
  readonly version: string;
  /** JetStream API level (2.11+), undefined on older servers. */
  readonly apiLevel?: number;
  readonly serverName?: string;
  readonly serverId?: string;
  readonly cluster: string | null;
  readonly domain: string | null;
  /** Whether the server runs in a cluster (replicas > 1 possible). */
  readonly clustered: boolean;
  /**
   * How many servers its cluster has, as the server reports them to clients (INFO connect_urls); undefined
   * when it does not say (not clustered, or no_advertise).
   */
  readonly clusterSize?: number;
}

/** The account's JetStream limits (-1 or 0 = unlimited), from $JS.API.INFO. */
export interface AccountLimits {
  readonly max_memory?: number;
  readonly max_storage?: number;
  readonly max_streams?: number;
  readonly max_consumers?: number;
  readonly max_ack_pending?: number;
  readonly memory_max_stream_bytes?: number;
  readonly storage_max_stream_bytes?: number;
  readonly max_bytes_required?: boolean;
}

export interface ObservedStream {
  readonly name: string;
  readonly config: StreamConfig;
  readonly created: string;
  readonly state?: {
    readonly messages: number;
    readonly bytes: number;
    readonly consumer_count: number;
    /** The sequence of the oldest message (a first_seq above it purges messages at the next restart). */
    readonly first_seq?: number;
    /** When the oldest message was stored (RFC 3339). */
    readonly first_ts?: string;
    /** The sequence of the newest message (a mirror holds its origin's sequence numbers). */
    readonly last_seq?: number;
  };
  /** The server's time when it described the stream (RFC 3339; `ts` of STREAM.INFO), to age messages by. */
  readonly observedAt?: string;
}

export interface ObservedConsumer {
  readonly stream: string;
  readonly name: string;
  readonly config: ConsumerConfig;
  readonly created: string;
}

/** The live value of a KV key (the last message on its subject, when that is not a delete or purge marker). */
export interface ObservedEntry {
  readonly key: string;
  readonly value: string;
  /** The stream sequence of that message: the key's revision. */
  readonly revision: number;
  readonly created: string;
  /** The owner jsplan wrote into the message's header, absent when jsplan did not write it. */
  readonly owner?: string;
  /** jsplan wrote it (with or without an owner). */
  readonly managed: boolean;
}

/** The keys of a bucket: live values by key, and the revision of each deleted key's marker. */
export interface ObservedBucketEntries {
  readonly live: ReadonlyMap<string, ObservedEntry>;
  /** Keys whose last message is a delete or purge marker, with its revision (a create must find it there). */
  readonly deleted: ReadonlyMap<string, number>;
}

/** A stream the server knows but could not describe (its leader did not answer, or it is offline). */
export interface UnavailableStream {
  readonly name: string;
  readonly reason: string;
}

/** The live state of the account, as read by the observe stage. Plain data. */
export interface ObservedState {
  readonly server: ServerIdentity;
  readonly limits: AccountLimits;
  /**
   * The account's limits are tiered (per replica count, from an account JWT in operator mode), by tier name
   * (`R1`, `R3` …): `limits` then holds zeros, and a stream meets the limits of the tier of its replica
   * count. Absent for an account with flat limits.
   */
  readonly tiers?: Readonly<Record<string, AccountLimits>>;
  readonly streams: ReadonlyMap<string, ObservedStream>;
  /** Durable consumers, keyed by `consumer.STREAM.NAME`. Ephemeral consumers are left out. */
  readonly consumers: ReadonlyMap<string, ObservedConsumer>;
  readonly unavailable: readonly UnavailableStream[];
  /** Ephemeral consumers seen (and ignored) per stream, for a note. */
  readonly ephemeral: ReadonlyMap<string, number>;
  /** jsplan's apply lock in this account; absent where it was not read (fixtures, old callers). */
  readonly lease?: ObservedLease;
  /**
   * The keys of the buckets whose manifest declares `entries`, by bucket name (read after the manifest is
   * loaded; see observe/entries.ts). A bucket that does not exist yet has none.
   */
  readonly entries?: ReadonlyMap<string, ObservedBucketEntries>;
  /** When observe read the state (RFC 3339, this machine's clock): "now" for the pure plan. */
  readonly readAt?: string;
}
