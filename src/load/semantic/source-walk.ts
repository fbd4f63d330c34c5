// nats-server's walk over the origins of a stream, as it runs it before creating or updating one, followed
// over the manifest's streams and buckets. Walking from every stream is quadratic on a chain of 20,000
// sourced streams (each walk goes to the end of the chain), so the walks share their answers: in a graph
// without cycles, a stream with a single origin gets the same answer as that origin, and a stream whose
// origins can only be reached one way cannot trip at all. Only the streams where two paths may meet are
// walked in full.

import { KV_PREFIX, kvStreamName } from "../../jetstream/buckets.js";
import type { DesiredKv, DesiredStream } from "../../model/desired.js";
import { subjectsCollide } from "../../model/subjects.js";
import type { Findings } from "./report.js";

interface GraphNode {
  readonly name: string;
  readonly owner: DesiredStream | DesiredKv;
  readonly subjects: readonly string[];
  readonly mirror?: { name: string; external: boolean };
  readonly sources: ReadonlyArray<{ name: string; external: boolean; filter?: string }>;
}

type Graph = ReadonlyMap<string, GraphNode>;

/**
 * nats-server walks the origins of a stream it creates or updates breadth-first and reports "detected
 * cycle" (10052) when it reaches a stream a second time, through a mirror, or through a source without a
 * filter_subject (or one that overlaps the subjects of the stream that sources it), even when there is no
 * cycle: two paths to one origin (a diamond) are enough (nats-server 2.10 and 2.15, checkStreamCfg). This
 * follows the server's walk over the manifest's streams and buckets, so the refusal comes at validate time
 * with an explanation, not halfway through an apply. Real cycles are checkSourceCycles' business.
 */
export function checkServerSourceWalk(
  streams: readonly DesiredStream[],
  buckets: readonly DesiredKv[],
  f: Findings,
): void {
  const nodes = graphOf(streams, buckets);
  const order = childrenFirst(nodes);
  // A cycle (only buckets can still form one here) leaves the plain walk from every stream.
  const shared = order ? sharedWalks(nodes, order) : undefined;
  for (const start of nodes.values()) {
    if (!start.mirror && start.sources.length === 0) continue;
    const again = shared ? shared.get(start.name) : serverWalk(start, nodes);
    if (again !== undefined) {
      f.error(
        start.owner,
        start.mirror ? "mirror" : "sources",
        "source-walk",
        `following the mirrors and sources of ${start.name}, nats-server reaches ${again} twice and refuses the stream ("detected cycle"), even without a real cycle; take ${again}'s messages through one path only (or give the other source a filter_subject outside the subjects of the stream that sources it)`,
      );
    }
  }
}

function graphOf(streams: readonly DesiredStream[], buckets: readonly DesiredKv[]): Graph {
  const nodes = new Map<string, GraphNode>();
  for (const s of streams) {
    const c = s.config;
    nodes.set(s.name, {
      name: s.name,
      owner: s,
      subjects: c.subjects?.length ? c.subjects : c.mirror || c.sources?.length ? [] : [s.name],
      ...(c.mirror ? { mirror: { name: c.mirror.name, external: Boolean(c.mirror.external) } } : {}),
      sources: (c.sources ?? []).map((x) => ({
        name: x.name,
        external: Boolean(x.external),
        ...(x.filter_subject ? { filter: x.filter_subject } : {}),
      })),
    });
  }
  const kvName = (n: string) => (n.startsWith(KV_PREFIX) ? n : kvStreamName(n));
  for (const b of buckets) {
    const spec = b.spec;
    const external = (x: { external?: unknown; domain?: unknown }) => Boolean(x.external || x.domain);
    nodes.set(kvStreamName(b.name), {
      name: kvStreamName(b.name),
      owner: b,
      subjects: spec.mirror ? [] : [`$KV.${b.name}.>`],
      ...(spec.mirror ? { mirror: { name: kvName(spec.mirror.name), external: external(spec.mirror) } } : {}),
      // Bucket sources carry subject transforms (jsplan's and the clients'), never a plain filter.
      sources: (spec.sources ?? []).map((x) => ({ name: kvName(x.name), external: external(x) })),
    });
  }
  return nodes;
}

/** The origins the server's walk follows from a node: in the manifest, not in another account or domain. */
function originsOf(node: GraphNode, nodes: Graph): GraphNode[] {
  const out: GraphNode[] = [];
  for (const src of node.sources) {
    const next = src.external ? undefined : nodes.get(src.name);
    if (next) out.push(next);
  }
  const m = node.mirror;
  const next = m && !m.external ? nodes.get(m.name) : undefined;
  if (next) out.push(next);
  return out;
}

/** Every node after all of its origins (a depth-first post-order), or undefined when there is a cycle. */
function childrenFirst(nodes: Graph): GraphNode[] | undefined {
  const state = new Map<string, "open" | "done">();
  const order: GraphNode[] = [];
  for (const root of nodes.values()) {
    if (state.has(root.name)) continue;
    // An explicit stack: a chain of 20,000 streams is deeper than the call stack allows.
    const stack: Array<{ node: GraphNode; next: GraphNode[]; i: number }> = [];
    const enter = (node: GraphNode) => {
      state.set(node.name, "open");
      stack.push({ node, next: originsOf(node, nodes), i: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.next[top.i++];
      if (child === undefined) {
        state.set(top.node.name, "done");
        order.push(top.node);
        stack.pop();
      } else if (state.get(child.name) === "open") return undefined;
      else if (!state.has(child.name)) enter(child);
    }
  }
  return order;
}

/**
 * The answer of the server's walk from every node of a graph without cycles, in children-first order. A
 * node with one origin walks to it and then exactly as a walk from it would (the node cannot be reached
 * again without a cycle), so it takes the origin's answer. A node none of whose descendants has two ways
 * in reaches each of them once and cannot trip. The rest are walked.
 */
function sharedWalks(nodes: Graph, order: readonly GraphNode[]): Map<string, string | undefined> {
  const ways = new Map<string, number>();
  const origins = new Map<string, GraphNode[]>();
  for (const node of order) {
    const list = originsOf(node, nodes);
    origins.set(node.name, list);
    for (const o of list) ways.set(o.name, (ways.get(o.name) ?? 0) + 1);
  }
  const meets = new Map<string, boolean>(); // some descendant has two ways in
  const answers = new Map<string, string | undefined>();
  for (const node of order) {
    const list = origins.get(node.name)!;
    meets.set(
      node.name,
      list.some((o) => (ways.get(o.name) ?? 0) > 1 || meets.get(o.name)),
    );
    if (list.length === 1) answers.set(node.name, answers.get(list[0]!.name));
    else if (list.length > 1 && meets.get(node.name)) answers.set(node.name, serverWalk(node, nodes));
  }
  return answers;
}

/** The server's breadth-first walk from one node: the name it reaches twice, if it does. */
function serverWalk(start: GraphNode, nodes: Graph): string | undefined {
  const toVisit: GraphNode[] = [start];
  const visited = new Set<string>();
  for (let at = 0; at < toVisit.length; at++) {
    const node = toVisit[at]!;
    visited.add(node.name);
    for (const src of node.sources) {
      if (src.external) continue;
      if (visited.has(src.name)) {
        const filter = src.filter;
        if (filter === undefined || node.subjects.some((s) => subjectsCollide(s, filter))) return src.name;
      } else {
        const next = nodes.get(src.name);
        if (next) toVisit.push(next);
      }
    }
    if (node.mirror && !node.mirror.external) {
      if (visited.has(node.mirror.name)) return node.mirror.name;
      const next = nodes.get(node.mirror.name);
      if (next) toVisit.push(next);
    }
  }
  return undefined;
}
