// Phase: what the connected server cannot hold (fields of newer versions, replicas without a cluster).

import { checkBucketSupport, checkConsumerSupport, checkStreamSupport } from "../jetstream/support.js";
import type { DesiredKv, DesiredObjectStore, DesiredStream } from "../model/desired.js";
import type { PlanContext } from "./context.js";

export function checkSupport(ctx: PlanContext): void {
  const { version, clustered } = ctx;
  for (const r of ctx.wanted) {
    if (!ctx.inScope(r.address)) continue;
    if (r.kind === "stream")
      ctx.errors.push(...checkStreamSupport(r.source as DesiredStream, version, clustered));
    else
      ctx.errors.push(
        ...checkBucketSupport(r.source as DesiredKv | DesiredObjectStore, r.config, version, clustered),
      );
  }
  for (const k of ctx.desired.consumers)
    if (ctx.inScope(k.address)) ctx.errors.push(...checkConsumerSupport(k, version, clustered));
}
