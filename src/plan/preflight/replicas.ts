// A stream needs as many servers as replicas: nats-server refuses more replicas than its cluster has peers
// (10005 "no suitable peers for placement"), on create and on a scale-up. The cluster's size is what the
// server reports to clients (INFO connect_urls: every server of the cluster that advertises its client URL);
// where it does not say, nothing is checked. A placement in another cluster (through a gateway) is not
// checked either: its size is not reported.

import type { Diagnostic } from "../../model/diagnostic.js";
import { streamSide } from "../../model/plan.js";
import type { PlanContext } from "../context.js";
import { at } from "../diagnostics.js";
import type { Ordered } from "../ordering.js";

export function checkReplicas(ctx: PlanContext, ordered: Ordered): Diagnostic[] {
  const { clusterSize, cluster } = ctx.observed.server;
  if (!ctx.clustered || clusterSize === undefined) return [];
  const out: Diagnostic[] = [];
  for (const c of ordered.changes) {
    if (c.kind === "consumer" || c.blocked || c.action === "delete" || c.action === "no-op") continue;
    const after = streamSide(c, "after")!;
    const replicas = after.num_replicas ?? 1;
    const elsewhere = after.placement?.cluster && after.placement.cluster !== cluster;
    if (replicas <= clusterSize || elsewhere) continue;
    const r = ctx.wantedByStream.get(after.name);
    if (!r) continue;
    out.push(
      at(
        r,
        "num_replicas",
        "error",
        "plan.replicas-over-cluster",
        `num_replicas ${replicas} is more than the ${clusterSize} servers of cluster ${cluster} (as the server reports them to clients): the server refuses it (10005 "no suitable peers for placement"). Use at most ${clusterSize} replicas`,
      ),
    );
  }
  return out;
}
