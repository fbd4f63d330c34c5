// Phase: checks across the planned changes, against the streams as they will be after the apply.

import { consumerAddress } from "../model/address.js";
import type { StreamConfig } from "../model/jetstream.js";
import { formatDuration } from "../model/units.js";
import { consumersOverLimits } from "./consumers-over-limits.js";
import type { PlanContext } from "./context.js";
import { at } from "./diagnostics.js";
import { message } from "./messages.js";
import { hiddenConsumerRisks } from "./origin-limits.js";
import { checkWorkQueueOrigins } from "./workqueue-origins.js";

export function checkAcross(ctx: PlanContext): void {
  ctx.errors.push(
    ...checkWorkQueueOrigins(ctx.version, streamsAfter(ctx), ctx.changes, ctx.desiredConsumers),
  );
  checkConsumersOverLimits(ctx);
  const live = [...ctx.observed.streams.values()].map((o) => o.config);
  for (const risk of hiddenConsumerRisks(ctx.changes, live, ctx.version, ctx.clustered)) {
    const r = ctx.wantedByStream.get(risk.stream);
    if (!r) continue;
    if (risk.certain) {
      ctx.errors.push(
        at(
          r,
          "consumer_limits",
          "error",
          "plan.hidden-source-consumer-limits",
          message.hiddenSourceConsumersRefuse(risk.dependents, ctx.version.text),
        ),
      );
    } else {
      ctx.warnings.push(
        at(
          r,
          "consumer_limits",
          "warning",
          "plan.hidden-source-consumers",
          message.hiddenSourceConsumers(risk.dependents),
        ),
      );
    }
  }
}

function checkConsumersOverLimits(ctx: PlanContext): void {
  for (const o of consumersOverLimits(ctx.changes, ctx.consumersOf)) {
    const r = ctx.wantedByStream.get(o.streamName);
    if (!r) continue;
    const show = o.field === "inactive_threshold" ? formatDuration : String;
    const address = consumerAddress(o.streamName, o.consumer);
    ctx.errors.push(
      at(
        r,
        `consumer_limits.${o.field}`,
        "error",
        "plan.consumer-over-limits",
        message.consumerOverLimits({
          stream: o.streamName,
          consumer: o.consumer,
          field: o.field,
          value: show(o.value),
          limit: show(o.limit),
          managed: ctx.desiredConsumers.has(address),
        }),
      ),
    );
  }
}

/**
 * The streams as they will be: live ones that stay, with the manifest's configs (a mirror or source that a
 * deleted stream or an update drops holds nothing once orderSteps has run it first).
 */
function streamsAfter(ctx: PlanContext): Map<string, StreamConfig> {
  const deleted = new Set(
    ctx.changes
      .filter((c) => c.kind !== "consumer" && c.action === "delete" && !c.blocked)
      .map((c) => String(c.before?.name ?? c.name)),
  );
  const out = new Map<string, StreamConfig>();
  for (const o of ctx.observed.streams.values()) if (!deleted.has(o.name)) out.set(o.name, o.config);
  for (const [name, cfg] of ctx.desiredCanon) out.set(name, cfg);
  return out;
}
