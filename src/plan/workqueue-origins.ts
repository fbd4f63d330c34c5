// Before nats-server 2.14, a mirror or source of a work-queue stream takes a consumer on it that counts in
// the work-queue rules: once it exists, the server refuses an unfiltered consumer next to it (10099
// "multiple non-filtered consumers not allowed on workqueue stream") and a consumer whose filters overlap
// the mirror's or source's (10100 "filtered consumer not unique on workqueue stream"; an unfiltered mirror
// or source overlaps everything). Seen on 2.10.27; 2.14 leaves mirror and source consumers out of these
// rules (seen on 2.15.1). The planner refuses such a consumer create, so that it does not fail mid-apply.

import type { DesiredConsumer } from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { localOrigins, type StreamConfig } from "../model/jetstream.js";
import type { Change } from "../model/plan.js";
import { subjectsCollide } from "../model/subjects.js";
import { atLeast, type Version } from "../model/version.js";

interface OriginConsumer {
  /** The stream that mirrors or sources the work queue. */
  readonly by: string;
  readonly kind: "mirror" | "source";
  /** Its filters; empty for an unfiltered mirror or source. */
  readonly filters: readonly string[];
}

function filtersOf(c: { filter_subject?: string; filter_subjects?: string[] }): string[] {
  if (c.filter_subjects?.length) return c.filter_subjects;
  return c.filter_subject ? [c.filter_subject] : [];
}

/**
 * Errors for the consumers that `changes` create (or re-create) on a work-queue stream next to a mirror or
 * source of it, where a server before 2.14 refuses them. `streams` are the configs the streams will have:
 * the manifest's, and the live ones of streams the manifest does not declare.
 */
export function checkWorkQueueOrigins(
  version: Version,
  streams: ReadonlyMap<string, StreamConfig>,
  changes: readonly Change[],
  consumers: ReadonlyMap<string, DesiredConsumer>,
): Diagnostic[] {
  if (atLeast(version, "2.14.0")) return [];
  const origins = new Map<string, OriginConsumer[]>();
  for (const s of streams.values()) {
    const kind = s.mirror ? ("mirror" as const) : ("source" as const);
    for (const src of localOrigins(s)) {
      const filters = src.filter_subject
        ? [src.filter_subject]
        : (src.subject_transforms ?? []).map((t) => t.src || ">");
      const entry = { by: s.name, kind, filters };
      const known = origins.get(src.name);
      if (known) known.push(entry);
      else origins.set(src.name, [entry]);
    }
  }
  const out: Diagnostic[] = [];
  for (const c of changes) {
    if (c.kind !== "consumer" || (c.action !== "create" && c.action !== "replace")) continue;
    const stream = c.stream!;
    if (streams.get(stream)?.retention !== "workqueue") continue;
    const taken = origins.get(stream);
    if (!taken) continue;
    const mine = filtersOf(c.after as { filter_subject?: string; filter_subjects?: string[] });
    const clash = taken.find(
      (o) =>
        mine.length === 0 ||
        o.filters.length === 0 ||
        mine.some((f) => o.filters.some((g) => subjectsCollide(f, g))),
    );
    if (!clash) continue;
    const k = consumers.get(c.address);
    const what = clash.filters.length ? `filtered by ${clash.filters.join(", ")}` : "without a filter";
    out.push({
      severity: "error",
      ...(k ? { pos: k.origin.fieldPos(mine.length ? "filter_subject" : "name") } : {}),
      address: c.address,
      code: "plan.workqueue-origin",
      message: `on nats-server ${version.text} the ${clash.kind} of work-queue stream ${stream} in stream ${clash.by} takes a consumer on ${stream} (${what}), and the server refuses a ${mine.length ? "consumer whose filters overlap it" : "consumer without a filter"} next to it; give this consumer filters that do not overlap, or use nats-server 2.14 or newer`,
    });
  }
  return out;
}
