// The order of execution: a dependency graph between the steps, flattened into `steps`. Streams come
// before their consumers, origins before the streams that mirror or source them, deletions in reverse
// (consumers before their stream, dependents before their origin), and a stream that gives up subjects
// before the stream that takes them over. Steps without a path between them may run together.

import { localOrigins, type StreamConfig } from "../model/jetstream.js";
import type { Change, Step } from "../model/plan.js";
import { subjectsCollide } from "../model/subjects.js";

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
  const cfg = (c.after ?? c.before) as unknown as StreamConfig | null;
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

export function orderSteps(changes: readonly Change[], workQueueStreams: ReadonlySet<string>): OrderResult {
  const acting = changes.filter((c): c is Acting => c.action !== "no-op");
  const conflicts: Array<{ consumer: string; stream: string }> = [];
  const deps = new Map<string, Set<string>>(acting.map((c) => [c.address, new Set<string>()]));
  const before = (x: Acting, y: Acting) => {
    if (x.address !== y.address) deps.get(y.address)!.add(x.address);
  };

  const streams = acting.filter((c) => c.kind !== "consumer");
  const streamStep = new Map(streams.map((c) => [streamOf(c), c]));
  const consumers = acting.filter((c) => c.kind === "consumer");

  for (const c of consumers) {
    const s = streamStep.get(c.stream!);
    if (!s) continue;
    if (c.action === "delete") {
      if (s.action === "delete" || s.action === "replace") before(c, s);
    } else if (s.action === "update" && c.action !== "create" && exceedsNewLimits(c, s)) {
      // Neither order works when the consumer's new values do not fit the current limits either: it would
      // need an intermediate config (two applies).
      if (needsOldLimitsLifted(c, s)) conflicts.push({ consumer: c.address, stream: s.address });
      // The server refuses stricter consumer_limits while a consumer exceeds them (10069): such a consumer
      // takes its new values first, which the current limits allow. Every other consumer waits for the
      // stream: a consumer config is checked against the limits in force (and a value it leaves to the
      // stream's limits is filled from them, or refused in pedantic mode), so one that drops an inherited
      // value must not run while the old limit still holds.
      before(c, s);
    } else if (c.action === "update" && scalesDown(s) && changesReplicas(c)) {
      // A stream scaled down resizes the raft groups of its consumers; a consumer scaled in the same moment
      // can be lost (nats-server 2.10.27 under load: the consumer stays "missing" from CONSUMER.LIST for good,
      // with the stream scaled first; never with the consumer scaled first). So the consumer scales down
      // first, while its stream still has the peers, and apply waits for it to settle.
      before(c, s);
    } else if (s.action !== "delete") {
      before(s, c);
    }
  }

  // Deleted streams by the origins they mirror or source.
  const deletedBy = new Map<string, Acting[]>();
  for (const x of streams) {
    if (x.action !== "delete") continue;
    for (const o of origins(x.before as unknown as StreamConfig)) {
      const known = deletedBy.get(o);
      if (known) known.push(x);
      else deletedBy.set(o, [x]);
    }
  }
  for (const y of streams) {
    if (y.action !== "delete") {
      for (const o of origins(y.after as unknown as StreamConfig)) {
        const x = streamStep.get(o);
        if (x && x.action !== "delete") before(x, y);
      }
    } else {
      // Deleting an origin: its dependents that are also deleted go first.
      for (const x of deletedBy.get(streamOf(y)) ?? []) before(x, y);
    }
  }

  // Before nats-server 2.14 a mirror or source of a work-queue stream holds a consumer on it that the
  // work-queue rules count (see workqueue-origins.ts): a consumer created on the work queue waits for the
  // steps that drop such a mirror or source.
  for (const c of consumers) {
    if (c.action !== "create" && c.action !== "replace") continue;
    if (!workQueueStreams.has(c.stream!)) continue;
    for (const x of streams) {
      if (x.action === "create" || streamOf(x) === c.stream) continue;
      if (origins(x.before as unknown as StreamConfig).includes(c.stream!)) before(x, c);
    }
  }

  // Subjects move: a step that claims subjects waits for the step that gives them up. For consumers this
  // matters on work-queue streams, where filters may not overlap.
  // Only steps that hold subjects now can give them up, so only they are compared: a plan of 55,000
  // creates compares nothing (comparing every pair took 22 s there). Consumers only meet consumers of the
  // same work-queue stream.
  const claims = (list: readonly Acting[]) => {
    const givers = new Map<string, Array<{ x: Acting; held: string[]; kept: string[] }>>();
    for (const x of list) {
      if (x.action === "create") continue;
      if (x.kind === "consumer" && !workQueueStreams.has(x.stream!)) continue;
      // The consumers of a stream that is replaced go with the old stream: they hold nothing then.
      if (x.kind === "consumer" && streamStep.get(x.stream!)?.action === "replace") continue;
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
        if (x !== y && overlaps(wanted, held) && !overlaps(wanted, kept)) before(x, y);
      }
    }
  };
  claims(streams);
  claims(consumers);

  // Kahn's algorithm; among ready steps, the phase and then the address decide, so the order is stable.
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
    const left = acting.filter((c) => !done.has(c.address)).map((c) => c.address);
    return { steps, cycle: left };
  }
  return conflicts.length > 0 ? { steps, limitConflicts: conflicts } : { steps };
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

/** A binary heap: the ready steps of a plan with thousands of steps, taken smallest first. */
class MinHeap<T> {
  readonly #items: T[] = [];
  constructor(readonly less: (a: T, b: T) => number) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const h = this.#items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[i]!, h[p]!) >= 0) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): T | undefined {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!) < 0) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!) < 0) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** True when a consumer's live values exceed the consumer_limits that a stream update sets. */
function exceedsNewLimits(consumer: Change, stream: Change): boolean {
  type Limits = { max_ack_pending?: number; inactive_threshold?: number };
  const limits = ((stream.after as Record<string, unknown> | null)?.consumer_limits ?? {}) as Limits;
  const live = (consumer.before ?? {}) as Limits;
  return (["max_ack_pending", "inactive_threshold"] as const).some((k) => {
    const limit = limits[k];
    const value = live[k];
    // The server compares with `>`: an unlimited (-1) max_ack_pending does not stand in the way.
    return limit !== undefined && limit > 0 && value !== undefined && value > limit;
  });
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
