// The topology as a graph: streams, buckets and consumers as nodes; mirrors, sources (with their JetStream
// domain or external API) and consumers as edges. Built from a plan (the part it touches, nodes marked by
// action), from a manifest, or from a server's state; drawn by diagram.ts. Bounded: past a number of
// nodes, each stream's consumers become one node with their count, and past that the least important
// nodes are left out, with a node saying how many.

import { bucketAddressOf, kvStreamConfig, objectStoreStreamConfig } from "../jetstream/buckets.js";
import type { ResourceKind } from "../model/address.js";
import type { DesiredState } from "../model/desired.js";
import type { StreamSource } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import type { Action, Change, Plan } from "../model/plan.js";

export type NodeMark = Action | "blocked" | "context";

export interface TopoNode {
  readonly id: string;
  readonly kind: ResourceKind | "consumers" | "more";
  readonly label: string;
  readonly mark: NodeMark;
}

export interface TopoEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: "mirror" | "source" | "consumer";
  readonly label?: string;
}

export interface Topology {
  readonly nodes: readonly TopoNode[];
  readonly edges: readonly TopoEdge[];
}

/** A resource as the graph needs it: its address, and for streams and buckets its stream config. */
export interface TopoResource {
  readonly address: string;
  readonly kind: ResourceKind;
  readonly name: string;
  readonly stream?: string;
  /** A stream config (its mirror and sources are read), wire form. */
  readonly config?: { readonly mirror?: StreamSource; readonly sources?: readonly StreamSource[] } | null;
  readonly mark: NodeMark;
}

/** The address of the stream or bucket a mirror or source names. */
function originAddress(streamName: string): string {
  return bucketAddressOf(streamName)?.address ?? `stream.${streamName}`;
}

function originLabel(kind: "mirror" | "source", s: StreamSource): string {
  const domain = /^\$JS\.(.+)\.API$/.exec(s.external?.api ?? "")?.[1];
  if (domain) return `${kind}, domain ${domain}`;
  if (s.external) return `${kind}, ${s.external.api}`;
  return kind;
}

function labelOf(r: { kind: ResourceKind; name: string; stream?: string }): string {
  return r.kind === "consumer"
    ? `consumer ${r.name}`
    : `${r.kind === "objectstore" ? "object store" : r.kind} ${r.name}`;
}

/** The graph of `resources`, with `context` (unchanged resources) drawn where an edge needs them. */
export function topologyOf(
  resources: readonly TopoResource[],
  context: readonly TopoResource[] = [],
): Topology {
  const nodes = new Map<string, TopoNode>();
  const edges: TopoEdge[] = [];
  const byAddress = new Map(context.map((r) => [r.address, r]));
  const add = (r: TopoResource) => {
    if (!nodes.has(r.address))
      nodes.set(r.address, { id: r.address, kind: r.kind, label: labelOf(r), mark: r.mark });
  };
  const need = (address: string) => {
    if (nodes.has(address)) return;
    const known = byAddress.get(address);
    if (known) return add(known);
    const [kind, ...rest] = address.split(".");
    nodes.set(address, {
      id: address,
      kind: kind as ResourceKind,
      label: labelOf({ kind: kind as ResourceKind, name: rest.join(".") }),
      mark: "context",
    });
  };
  for (const r of resources) add(r);
  for (const r of resources) {
    if (r.kind === "consumer" && r.stream) {
      need(originAddress(r.stream));
      edges.push({ from: originAddress(r.stream), to: r.address, kind: "consumer" });
      continue;
    }
    const cfg = r.config ?? {};
    const origins: [StreamSource, "mirror" | "source"][] = cfg.mirror
      ? [[cfg.mirror, "mirror"]]
      : (cfg.sources ?? []).map((s) => [s, "source"]);
    for (const [s, kind] of origins) {
      const from = originAddress(s.name);
      need(from);
      edges.push({ from, to: r.address, kind, label: originLabel(kind, s) });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

const markOf = (c: Change): NodeMark => (c.blocked ? "blocked" : c.action);

/** The part of the topology a plan touches: what changes, and what it hangs on or comes from. */
export function planTopology(plan: Plan): Topology {
  const asResource = (c: Change): TopoResource => ({
    address: c.address,
    kind: c.kind,
    name: c.name,
    ...(c.stream ? { stream: c.stream } : {}),
    config: (c.after ?? c.before) as TopoResource["config"],
    mark: c.action === "no-op" ? "context" : markOf(c),
  });
  const acting = plan.changes.filter((c) => c.action !== "no-op").map(asResource);
  const context = plan.changes.filter((c) => c.action === "no-op").map(asResource);
  return topologyOf(acting, context);
}

/** The whole topology a manifest declares. */
export function desiredTopology(d: DesiredState): Topology {
  const mark = "context" as const;
  return topologyOf([
    ...d.streams.map((s) => ({ address: s.address, kind: s.kind, name: s.name, config: s.config, mark })),
    ...d.keyValues.map((k) => ({
      address: k.address,
      kind: k.kind,
      name: k.name,
      config: kvStreamConfig(k.spec),
      mark,
    })),
    ...d.objectStores.map((o) => ({
      address: o.address,
      kind: o.kind,
      name: o.name,
      config: objectStoreStreamConfig(o.spec),
      mark,
    })),
    ...d.consumers.map((c) => ({ address: c.address, kind: c.kind, name: c.name, stream: c.stream, mark })),
  ]);
}

/** The whole topology a server holds (its durable consumers). */
export function observedTopology(o: ObservedState): Topology {
  const mark = "context" as const;
  return topologyOf([
    ...[...o.streams.values()].map((s) => {
      const bucket = bucketAddressOf(s.name);
      return bucket
        ? { address: bucket.address, kind: bucket.kind, name: bucket.bucket, config: s.config, mark }
        : { address: `stream.${s.name}`, kind: "stream" as const, name: s.name, config: s.config, mark };
    }),
    ...[...o.consumers.values()].map((c) => ({
      address: `consumer.${c.stream}.${c.name}`,
      kind: "consumer" as const,
      name: c.name,
      stream: c.stream,
      mark,
    })),
  ]);
}

const WEIGHT: Record<NodeMark, number> = {
  blocked: 0,
  delete: 1,
  replace: 2,
  update: 3,
  create: 4,
  context: 5,
  "no-op": 5,
};

/**
 * At most `maxNodes` nodes: first each stream's consumers become one node (`5 consumers: 3 create, 2
 * delete`), then the least important nodes go (context before changes, creates before deletes), with a
 * node that says how many are not drawn.
 */
export function boundTopology(t: Topology, maxNodes: number): Topology {
  if (t.nodes.length <= maxNodes) return t;
  const collapsed = collapseConsumers(t);
  if (collapsed.nodes.length <= maxNodes) return collapsed;
  const keep = [...collapsed.nodes]
    .sort((a, b) => WEIGHT[a.mark] - WEIGHT[b.mark])
    .slice(0, Math.max(1, maxNodes - 1));
  const ids = new Set(keep.map((n) => n.id));
  const left = collapsed.nodes.length - keep.length;
  return {
    nodes: [
      ...collapsed.nodes.filter((n) => ids.has(n.id)),
      { id: "more", kind: "more", label: `… ${left} more not drawn`, mark: "context" },
    ],
    edges: collapsed.edges.filter((e) => ids.has(e.from) && ids.has(e.to)),
  };
}

function collapseConsumers(t: Topology): Topology {
  const consumerIds = new Set(t.nodes.filter((n) => n.kind === "consumer").map((n) => n.id));
  const byStream = new Map<string, TopoNode[]>();
  for (const e of t.edges) {
    if (e.kind !== "consumer") continue;
    const node = t.nodes.find((n) => n.id === e.to);
    if (!node) continue;
    const list = byStream.get(e.from);
    if (list) list.push(node);
    else byStream.set(e.from, [node]);
  }
  const groups: TopoNode[] = [];
  const edges: TopoEdge[] = t.edges.filter((e) => e.kind !== "consumer");
  for (const [stream, list] of byStream) {
    const counts = new Map<NodeMark, number>();
    for (const n of list) counts.set(n.mark, (counts.get(n.mark) ?? 0) + 1);
    const marks = [...counts].sort((a, b) => WEIGHT[a[0]] - WEIGHT[b[0]]);
    const words = marks.filter(([m]) => m !== "context").map(([m, n]) => `${n} ${m}`);
    const id = `${stream}.consumers`;
    groups.push({
      id,
      kind: "consumers",
      label: `${list.length} consumer${list.length === 1 ? "" : "s"}${words.length ? `: ${words.join(", ")}` : ""}`,
      mark: marks[0]![0],
    });
    edges.push({ from: stream, to: id, kind: "consumer" });
  }
  return { nodes: [...t.nodes.filter((n) => !consumerIds.has(n.id)), ...groups], edges };
}
