// JetStream configuration as it travels on the wire (the server's JSON names and units: durations in
// nanoseconds, sizes in bytes, times as RFC 3339 strings). Our own types, so that the pure core never
// imports the client library.

export type RetentionPolicy = "limits" | "interest" | "workqueue";
export type DiscardPolicy = "old" | "new";
export type StorageType = "file" | "memory";
export type Compression = "none" | "s2";
export type PersistMode = "default" | "async";
export type DeliverPolicy =
  | "all"
  | "last"
  | "new"
  | "by_start_sequence"
  | "by_start_time"
  | "last_per_subject";
export type AckPolicy = "none" | "all" | "explicit" | "flow_control";
export type ReplayPolicy = "instant" | "original";
export type PriorityPolicy = "none" | "overflow" | "pinned_client" | "prioritized";

export interface Placement {
  cluster?: string;
  tags?: string[];
}

export interface SubjectTransform {
  src?: string;
  dest: string;
}

export interface ExternalStream {
  api: string;
  deliver?: string;
}

export interface StreamSource {
  name: string;
  opt_start_seq?: number;
  opt_start_time?: string;
  filter_subject?: string;
  subject_transforms?: SubjectTransform[];
  external?: ExternalStream;
  consumer?: { name: string; deliver_subject?: string };
}

export interface Republish {
  src?: string;
  dest: string;
  headers_only?: boolean;
}

export interface ConsumerLimits {
  inactive_threshold?: number;
  max_ack_pending?: number;
}

export interface StreamConfig {
  name: string;
  description?: string;
  subjects?: string[];
  retention?: RetentionPolicy;
  max_consumers?: number;
  max_msgs?: number;
  max_bytes?: number;
  max_age?: number;
  max_msgs_per_subject?: number;
  max_msg_size?: number;
  discard?: DiscardPolicy;
  discard_new_per_subject?: boolean;
  storage?: StorageType;
  num_replicas?: number;
  no_ack?: boolean;
  duplicate_window?: number;
  placement?: Placement;
  mirror?: StreamSource;
  sources?: StreamSource[];
  sealed?: boolean;
  deny_delete?: boolean;
  deny_purge?: boolean;
  allow_rollup_hdrs?: boolean;
  allow_direct?: boolean;
  mirror_direct?: boolean;
  republish?: Republish;
  subject_transform?: SubjectTransform;
  compression?: Compression;
  first_seq?: number;
  consumer_limits?: ConsumerLimits;
  metadata?: Record<string, string>;
  allow_msg_ttl?: boolean;
  subject_delete_marker_ttl?: number;
  allow_msg_counter?: boolean;
  allow_atomic?: boolean;
  allow_msg_schedules?: boolean;
  persist_mode?: PersistMode;
  allow_batched?: boolean;
}

export interface ConsumerConfig {
  name?: string;
  durable_name?: string;
  description?: string;
  deliver_policy?: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
  ack_policy?: AckPolicy;
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy?: ReplayPolicy;
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  flow_control?: boolean;
  idle_heartbeat?: number;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  deliver_subject?: string;
  deliver_group?: string;
  inactive_threshold?: number;
  num_replicas?: number;
  mem_storage?: boolean;
  metadata?: Record<string, string>;
  pause_until?: string;
  priority_groups?: string[];
  priority_policy?: PriorityPolicy;
  priority_timeout?: number;
}

/** The metadata key that marks a resource as managed by a jsplan manifest, and by which owner. */
export const OWNER_KEY = "jsplan.owner";

/** Metadata keys under this prefix belong to the server (ADR-44 version markers). */
export const SERVER_METADATA_PREFIX = "_nats.";

/**
 * A stream's mirror, or its sources, that live on this server: without those of another account or domain
 * (`external`), which jsplan neither sees nor orders against.
 */
export function localOrigins(cfg: StreamConfig | null | undefined): readonly StreamSource[] {
  if (!cfg) return [];
  return (cfg.mirror ? [cfg.mirror] : (cfg.sources ?? [])).filter((s) => !s.external);
}
