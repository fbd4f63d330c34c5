// The order of execution: a dependency graph between the steps, flattened into `steps`. Streams come
// before their consumers, origins before the streams that mirror or source them, deletions in reverse
// (consumers before their stream, dependents before their origin), and a stream that gives up subjects
// before the stream that takes them over. Steps without a path between them may run together.

import { type ConsumerConfig, localOrigins, type StreamConfig } from "../model/jetstream.js";
import { type Change, type Step, streamSide } from "../model/plan.js";
import { subjectsCollide } from "../model/subjects.js";
import { fieldsOverLimits } from "./consumers-over-limits.js";
import { MinHeap } from "./min-heap.js";

type Acting = Exclude<Change, { action: "no-op" }>;

const PHASE: Record<string, number> = {
  "consumer:delete": 0,
  "stream:delete": 1,
  "stream:replace": 2,
  "stream:create": 3,
  "stream:update": 4,
  "consumer:replace": 5,
  "consumer:create": 6,
  "consumer:update": 7,
};

function phase(c: Acting): number {
  const kind = c.kind === "consumer" ? "consumer" : "stream";
  return PHASE[`${kind}:${c.action}`] ?? 9;
}

function streamName(c: Acting): string {
  return c.kind === "consumer" ? c.stream! : streamOf(c);
}

/** The name of the stream a change acts on (buckets act on their backing stream). */
function streamOf(c: Change): string {
  const cfg = streamSide(c, "after") ?? streamSide(c, "before");
  return cfg?.name ?? c.name;
}

function origins(cfg: StreamConfig | null): string[] {
  return localOrigins(cfg).map((s) => s.name);
}

function replicasOf(cfg: unknown): number {
  return Math.max(1, Number((cfg as { num_replicas?: number } | null)?.num_replicas ?? 1));
}

function scalesDown(s: Acting): boolean {
  return s.action === "update" && replicasOf(s.after) < replicasOf(s.before);
}

function changesReplicas(c: Acting): boolean {
  return c.diff.some((d) => d.path === "num_replicas");
}

function subjectsOf(cfg: Record<string, unknown> | null, kind: string): string[] {
  if (!cfg) return [];
  if (kind === "consumer") {
    // An unfiltered consumer takes every subject of its stream (on a work-queue stream it collides with
    // every other consumer: 10099, 10100).
    const c = cfg as { filter_subject?: string; filter_subjects?: string[] };
    const filters = c.filter_subjects?.length
      ? c.filter_subjects
      : c.filter_subject
        ? [c.filter_subject]
        : [];
    return filters.length > 0 ? filters : [">"];
  }
  return ((cfg as unknown as StreamConfig).subjects ?? []) as string[];
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => subjectsCollide(x, y)));
}

export interface OrderResult {
  readonly steps: Step[];
  /** Set when the dependencies form a cycle, which only a broken manifest can cause. */
  readonly cycle?: string[];
  /**
   * Consumers that must change before their stream's new consumer_limits (their live values exceed them)
   * and after them (their new values exceed the current limits): no order of single steps works.
   */
  readonly limitConflicts?: ReadonlyArray<{ consumer: string; stream: string }>;
}

/** The dependency graph being built: `before(x, y)` makes y wait for x. */
class Graph {
  readonly deps: Map<string, Set<string>>;
  readonly conflicts: Array<{ consumer: string; stream: string }> = [];
  readonly streams: readonly Acting[];
  readonly consumers: readonly Acting[];
  /** The step of each stream (buckets by their backing stream's name). */
  readonly streamStep: ReadonlyMap<string, Acting>;

  constructor(
    readonly acting: readonly Acting[],
    readonly workQueues: ReadonlySet<string>,
  ) {
    this.deps = new Map(acting.map((c) => [c.address, new Set<string>()]));
    this.streams = acting.filter((c) => c.kind !== "consumer");
    this.consumers = acting.filter((c) => c.kind === "consumer");
    this.streamStep = new Map(this.streams.map((c) => [streamOf(c), c]));
  }

  before(x: Acting, y: Acting): void {
    if (x.address !== y.address) this.deps.get(y.address)!.add(x.address);
  }
}

export function orderSteps(changes: readonly Change[], workQueueStreams: ReadonlySet<string>): OrderResult {
  const acting = changes.filter((c): c is Acting => c.action !== "no-op");
  const g = new Graph(acting, workQueueStreams);
  consumersAndTheirStreams(g);
  originsFirst(g);
  workQueueOriginsFirst(g);
  // Subjects move: a step that claims subjects waits for the step that gives them up. For consumers this
  // matters on work-queue streams, where filters may not overlap.
  subjectClaims(g, g.streams);
  subjectClaims(g, g.consumers);
  const sorted = topologicalOrder(acting, g.deps);
  if (sorted.cycle) return sorted;
  return g.conflicts.length > 0 ? { steps: sorted.steps, limitConflicts: g.conflicts } : sorted;
}

function consumersAndTheirStreams(g: Graph): void {
  for (const c of g.consumers) {
    const s = g.streamStep.get(c.stream!);
    if (!s) continue;
    if (c.action === "delete") {
      // Before an update too: the consumer may hold values above the stream's new consumer_limits (10069).
      if (s.action !== "create") g.before(c, s);
    } else if (s.action === "update" && c.action !== "create" && exceedsNewLimits(c, s)) {
      // Neither order works when the consumer's new values do not fit the current limits either: it would
      // need an intermediate config (two applies).
      if (needsOldLimitsLifted(c, s)) g.conflicts.push({ consumer: c.address, stream: s.address });
      // The server refuses stricter consumer_limits while a consumer exceeds them (10069): such a consumer
      // takes its new values first, which the current limits allow. Every other consumer waits for the
      // stream: a consumer config is checked against the limits in force (and a value it leaves to the
      // stream's limits is filled from them, or refused in pedantic mode), so one that drops an inherited
      // value must not run while the old limit still holds.
      g.before(c, s);
    } else if (c.action === "update" && scalesDown(s) && changesReplicas(c)) {
      // A stream scaled down resizes the raft groups of its consumers; a consumer scaled in the same moment
      // can be lost (nats-server 2.10.27 under load: the consumer stays "missing" from CONSUMER.LIST for good,
      // with the stream scaled first; never with the consumer scaled first). So the consumer scales down
      // first, while its stream still has the peers, and apply waits for it to settle.
      g.before(c, s);
    } else if (s.action !== "delete") {
      g.before(s, c);
    }
  }
}

/** Origins before the streams that mirror or source them; deleted dependents before their origin. */
function originsFirst(g: Graph): void {
  const deletedBy = new Map<string, Acting[]>();
  for (const x of g.streams) {
    if (x.action !== "delete") continue;
    for (const o of origins(streamSide(x, "before"))) {
      const known = deletedBy.get(o);
      if (known) known.push(x);
      else deletedBy.set(o, [x]);
    }
  }
  for (const y of g.streams) {
    if (y.action !== "delete") {
      for (const o of origins(streamSide(y, "after"))) {
        const x = g.streamStep.get(o);
        if (x && x.action !== "delete") g.before(x, y);
      }
    } else {
      // Deleting an origin: its dependents that are also deleted go first.
      for (const x of deletedBy.get(streamOf(y)) ?? []) g.before(x, y);
    }
  }
}

/**
 * Before nats-server 2.14 a mirror or source of a work-queue stream holds a consumer on it that the
 * work-queue rules count (see workqueue-origins.ts): a consumer created on the work queue waits for the
 * steps that drop such a mirror or source.
 */
function workQueueOriginsFirst(g: Graph): void {
  for (const c of g.consumers) {
    if (c.action !== "create" && c.action !== "replace") continue;
    if (!g.workQueues.has(c.stream!)) continue;
    for (const x of g.streams) {
      if (x.action === "create" || streamOf(x) === c.stream) continue;
      if (origins(streamSide(x, "before")).includes(c.stream!)) g.before(x, c);
    }
  }
}

/**
 * Only steps that hold subjects now can give them up, so only they are compared: a plan of 55,000 creates
 * compares nothing (comparing every pair took 22 s there). Consumers only meet consumers of the same
 * work-queue stream.
 */
function subjectClaims(g: Graph, list: readonly Acting[]): void {
  const givers = new Map<string, Array<{ x: Acting; held: string[]; kept: string[] }>>();
  for (const x of list) {
    if (x.action === "create") continue;
    if (x.kind === "consumer" && !g.workQueues.has(x.stream!)) continue;
    // The consumers of a stream that is replaced go with the old stream: they hold nothing then.
    if (x.kind === "consumer" && g.streamStep.get(x.stream!)?.action === "replace") continue;
    const group = x.kind === "consumer" ? x.stream! : "";
    const entry = {
      x,
      held: subjectsOf(x.before as Record<string, unknown>, x.kind),
      kept: x.action === "delete" ? [] : subjectsOf(x.after as Record<string, unknown>, x.kind),
    };
    const known = givers.get(group);
    if (known) known.push(entry);
    else givers.set(group, [entry]);
  }
  if (givers.size === 0) return;
  for (const y of list) {
    if (y.action === "delete") continue;
    const candidates = givers.get(y.kind === "consumer" ? y.stream! : "");
    if (!candidates) continue;
    const wanted = subjectsOf(y.after as Record<string, unknown>, y.kind);
    if (wanted.length === 0) continue;
    for (const { x, held, kept } of candidates) {
      if (x !== y && overlaps(wanted, held) && !overlaps(wanted, kept)) g.before(x, y);
    }
  }
}

/** Kahn's algorithm; among ready steps, the phase and then the address decide, so the order is stable. */
function topologicalOrder(acting: readonly Acting[], deps: ReadonlyMap<string, Set<string>>): OrderResult {
  const byAddress = new Map(acting.map((c) => [c.address, c]));
  const indegree = new Map(acting.map((c) => [c.address, deps.get(c.address)!.size]));
  const dependents = new Map<string, string[]>();
  for (const [a, ds] of deps) {
    for (const d of ds) {
      const list = dependents.get(d);
      if (list) list.push(a);
      else dependents.set(d, [a]);
    }
  }
  const sortKey = new Map(
    acting.map((c) => [
      c.address,
      `${String(phase(c)).padStart(2, "0")}\u0000${streamName(c)}\u0000${c.address}`,
    ]),
  );
  const ready = new MinHeap<string>((a, b) => (sortKey.get(a)! < sortKey.get(b)! ? -1 : 1));
  for (const c of acting) if (indegree.get(c.address) === 0) ready.push(c.address);
  const steps: Step[] = [];
  while (ready.size > 0) {
    const a = ready.pop()!;
    const c = byAddress.get(a)!;
    steps.push({ address: a, action: c.action, depends_on: [...deps.get(a)!].sort() });
    for (const d of dependents.get(a) ?? []) {
      const n = indegree.get(d)! - 1;
      indegree.set(d, n);
      if (n === 0) ready.push(d);
    }
  }
  if (steps.length < acting.length) {
    const done = new Set(steps.map((x) => x.address));
    return { steps, cycle: acting.filter((c) => !done.has(c.address)).map((c) => c.address) };
  }
  return { steps };
}

/** The targeted addresses and every step they depend on, transitively. */
export function targetClosure(steps: readonly Step[], targets: readonly string[]): Set<string> {
  const byAddress = new Map(steps.map((s) => [s.address, s]));
  const out = new Set<string>();
  const visit = (a: string) => {
    if (out.has(a)) return;
    out.add(a);
    for (const d of byAddress.get(a)?.depends_on ?? []) visit(d);
  };
  for (const t of targets) visit(t);
  return out;
}

/** True when a consumer's live values exceed the consumer_limits that a stream update sets. */
function exceedsNewLimits(consumer: Change, stream: Change): boolean {
  const limits = streamSide(stream, "after")?.consumer_limits;
  return fieldsOverLimits((consumer.before ?? {}) as Partial<ConsumerConfig>, limits).length > 0;
}

/**
 * True when a consumer's new config is not accepted under the stream's current consumer_limits: a value
 * above a current limit, or a value left to the limits that the current ones would fill (or that a pedantic
 * server refuses to leave unset).
 */
function needsOldLimitsLifted(consumer: Change, stream: Change): boolean {
  type Limits = { max_ack_pending?: number; inactive_threshold?: number };
  const limits = ((stream.before as Record<string, unknown> | null)?.consumer_limits ?? {}) as Limits;
  const next = (consumer.after ?? {}) as Limits;
  return (["max_ack_pending", "inactive_threshold"] as const).some((k) => {
    const limit = limits[k];
    if (limit === undefined || limit <= 0) return false;
    const value = next[k];
    return value === undefined || value > limit || value === -1;
  });
}
