// Where the server would store something other than what the manifest asks, silently: said at the field.
// A mirror's mirror_direct is the origin's allow_direct, whatever the request says (nats-server 2.10.27
// and 2.15.1 store mirror_direct: false for a mirror of an origin without allow_direct, and the next plan
// would find nothing to change).

import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlanContext } from "../context.js";
import { at } from "../diagnostics.js";

export function checkSilentRewrites(ctx: PlanContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of ctx.wanted) {
    const asked = r.config.mirror_direct;
    const mirror = r.config.mirror;
    if (r.kind !== "stream" || asked === undefined || !mirror || mirror.external || !ctx.inScope(r.address))
      continue;
    const origin =
      ctx.wantedByStream.get(mirror.name)?.config ?? ctx.observed.streams.get(mirror.name)?.config;
    if (!origin || Boolean(origin.allow_direct) === Boolean(asked)) continue;
    out.push(
      at(
        r,
        "mirror_direct",
        "warning",
        "plan.mirror-direct-follows-origin",
        `mirror_direct: ${asked} is not what the server stores: a mirror serves direct gets exactly when its origin ${mirror.name} has allow_direct, which it ${origin.allow_direct ? "has" : "has not"}, so the server stores mirror_direct: ${Boolean(origin.allow_direct)}. ${origin.allow_direct ? "Remove mirror_direct" : `Set allow_direct: true on ${mirror.name}, or remove mirror_direct`}`,
      ),
    );
  }
  return out;
}
