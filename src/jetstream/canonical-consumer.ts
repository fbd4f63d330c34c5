// A consumer config in the one form that both sides of a comparison can take: the server's defaults
// filled in exactly as the connected server fills them, and every value that the server treats as "unset"
// left out. Rules verified against nats-server 2.10.27 and 2.15.1 (docs/internals/server-behaviour-consumers.md).
//
// Built field by field in key order from the field table (no deletes, no re-sorting): this runs for every
// consumer of the manifest and of the server, twice per plan. Fields the table fills alike (`default`,
// `unlimited`, `omit`) need no code; the `special` ones have their rule in SPECIAL below.

import type { AckPolicy, ConsumerConfig, ConsumerLimits } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import { CONSUMER_FIELDS } from "./fields/consumer.js";
import type { FieldRow } from "./fields/row.js";
import { stripServerMetadata } from "./metadata.js";

export interface ConsumerContext {
  readonly version: Version;
  /** The stream's consumer_limits, which fill max_ack_pending and inactive_threshold when unset. */
  readonly streamLimits?: ConsumerLimits;
  /** The account's max_ack_pending limit (-1/0 = none): it caps the 1000 default. */
  readonly accountMaxAckPending?: number;
}

const defaultOf = (name: string) => CONSUMER_FIELDS.row(name)!.default as number;
const DEFAULT_ACK_WAIT = defaultOf("ack_wait");
const DEFAULT_MAX_WAITING = defaultOf("max_waiting");
const DEFAULT_MAX_ACK_PENDING = defaultOf("max_ack_pending");
/** The server's default priority_timeout for pinned clients (2m). */
const DEFAULT_PRIORITY_TIMEOUT = 120_000_000_000;
/** The idle heartbeat that ack_policy flow_control forces (1s). */
const FLOW_CONTROL_HEARTBEAT = 1_000_000_000;

/** What the special rules share, worked out once per consumer. */
interface Derived {
  readonly input: ConsumerConfig;
  readonly ctx: ConsumerContext;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly name: string | undefined;
  readonly ack: AckPolicy;
  readonly push: boolean;
  readonly backoff: readonly number[] | undefined;
  readonly policy: string | undefined;
}

type Rule = (d: Derived) => unknown;

/** A value the server leaves out when it is zero, false or empty: undefined then. */
function set<T>(v: T | undefined | null | 0 | "" | false): T | undefined {
  return v ? (v as T) : undefined;
}

const acked = (ack: AckPolicy) => ack === "explicit" || ack === "all";

const SPECIAL: Readonly<Record<string, Rule>> = {
  ack_wait: ({ input, ack, backoff }) => {
    if (ack === "flow_control") return undefined; // forced unset (2.14+)
    if (backoff) return set(backoff[0]); // backoff replaces ack_wait, whatever the ack policy
    return acked(ack) ? input.ack_wait || DEFAULT_ACK_WAIT : set(input.ack_wait);
  },
  deliver_policy: ({ input }) =>
    input.deliver_policy && (input.deliver_policy as string) !== "undefined" ? input.deliver_policy : "all",
  durable_name: ({ name }) => name,
  name: ({ name }) => name,
  flow_control: ({ input, ack }) => (ack === "flow_control" ? true : set(input.flow_control)),
  idle_heartbeat: ({ input, ack }) =>
    ack === "flow_control" ? FLOW_CONTROL_HEARTBEAT : set(input.idle_heartbeat),
  inactive_threshold: ({ input, ctx }) =>
    input.inactive_threshold || set(ctx.streamLimits?.inactive_threshold),
  max_ack_pending: maxAckPending,
  max_waiting: ({ input, push }) =>
    push ? undefined : !input.max_waiting || input.max_waiting < 0 ? DEFAULT_MAX_WAITING : input.max_waiting,
  metadata: ({ metadata }) => stripServerMetadata(metadata),
  priority_timeout: ({ input, policy }) =>
    policy === "pinned_client" && !input.priority_timeout
      ? DEFAULT_PRIORITY_TIMEOUT
      : set(input.priority_timeout),
};

function maxAckPending({ input, ctx, ack }: Derived): number | undefined {
  const own = input.max_ack_pending;
  if (own) return Math.max(own, -1);
  const fromStream = ctx.streamLimits?.max_ack_pending;
  if (fromStream && fromStream > 0) return fromStream;
  if (acked(ack) || (ack === "flow_control" && atLeast(ctx.version, "2.14.0"))) {
    const cap = ctx.accountMaxAckPending;
    return cap && cap > 0 && cap < DEFAULT_MAX_ACK_PENDING ? cap : DEFAULT_MAX_ACK_PENDING;
  }
  return undefined;
}

function filled(row: FieldRow, v: unknown): unknown {
  switch (row.fill) {
    case "default":
      return v || row.default;
    case "unlimited":
      return !v || (v as number) < -1 ? -1 : v;
    case "omit":
      if (!v || v === row.default || (Array.isArray(v) && v.length === 0)) return undefined;
      return v;
    default:
      return v;
  }
}

// Each row with the function that gives its canonical value, in key order.
const BUILDERS: ReadonlyArray<readonly [string, Rule]> = CONSUMER_FIELDS.sorted.map((row) => {
  const special = SPECIAL[row.name];
  if (row.fill === "special") {
    if (!special) throw new Error(`canonical-consumer: no rule for the special field ${row.name}`);
    return [row.name, special] as const;
  }
  const name = row.name as keyof ConsumerConfig;
  return [row.name, ({ input }: Derived) => filled(row, input[name])] as const;
});

// `metadata`, when given, stands in for input.metadata (the plan adds its markers this way): a copy of the
// input with other metadata (`{ ...config, metadata }`) would cost, at 50,000 consumers, about 12 MB that
// V8 keeps in the old generation until its next full collection, which sets the plan's peak memory.
export function canonicalConsumer(
  input: ConsumerConfig,
  ctx: ConsumerContext,
  metadata: Readonly<Record<string, string>> | undefined = input.metadata,
): ConsumerConfig {
  const policy =
    input.priority_policy && input.priority_policy !== "none" ? input.priority_policy : undefined;
  const d: Derived = {
    input,
    ctx,
    metadata,
    name: input.durable_name ?? input.name,
    ack: input.ack_policy || "none",
    push: Boolean(input.deliver_subject),
    backoff: input.backoff && input.backoff.length > 0 ? input.backoff : undefined,
    policy,
  };
  const out: Record<string, unknown> = {};
  for (const [k, build] of BUILDERS) {
    const v = build(d);
    if (v !== undefined) out[k] = v;
  }
  // Anything else the server sends is carried through untouched.
  for (const k in input)
    if (!CONSUMER_FIELDS.names.has(k)) {
      const v = (input as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = v;
    }
  return out as ConsumerConfig;
}
