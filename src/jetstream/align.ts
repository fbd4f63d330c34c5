// Values that mean the same to the server but are spelt differently (subjects in another order, a time
// in another zone, `filter_subject: x` against `filter_subjects: [x]`) must not show up as changes. When
// the desired and the live value are equivalent, the desired config takes the live spelling: then the diff
// is empty, and an update for another field does not rewrite (or, for placement tags, move) anything.

import type { ConsumerConfig, StreamConfig, StreamSource } from "../model/jetstream.js";
import { sortKeys } from "./sort-keys.js";

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  const s = new Set(a);
  return s.size === b.length && b.every((x) => s.has(x));
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Date.parse(a);
  const y = Date.parse(b);
  // Date keeps milliseconds only; the strings also agree below that when their fractions match.
  return !Number.isNaN(x) && x === y && fraction(a) === fraction(b);
}

function fraction(t: string): string {
  return (/\.(\d+)/.exec(t)?.[1] ?? "").replace(/0+$/, "");
}

function sourceKey(s: StreamSource): string {
  const t = s.opt_start_time ? Date.parse(s.opt_start_time) : undefined;
  return JSON.stringify({ ...s, opt_start_time: t });
}

function alignSources(
  desired: readonly StreamSource[] | undefined,
  live: readonly StreamSource[] | undefined,
): StreamSource[] | undefined {
  if (!desired || !live || desired.length !== live.length) return desired ? [...desired] : undefined;
  const liveKeys = live.map(sourceKey);
  const desiredKeys = desired.map(sourceKey);
  return sameSet(desiredKeys, liveKeys) ? [...live] : [...desired];
}

export function alignStream(desired: StreamConfig, live: StreamConfig): StreamConfig {
  const out: StreamConfig = { ...desired };
  if (sameSet(desired.subjects, live.subjects)) out.subjects = live.subjects;
  if (desired.placement?.tags && sameSet(desired.placement.tags, live.placement?.tags)) {
    out.placement = { ...desired.placement, tags: live.placement!.tags! };
  }
  const sources = alignSources(desired.sources, live.sources);
  if (sources) out.sources = sources;
  if (desired.mirror && live.mirror && sourceKey(desired.mirror) === sourceKey(live.mirror))
    out.mirror = live.mirror;
  return out;
}

function filters(c: ConsumerConfig): string[] {
  if (c.filter_subjects?.length) return c.filter_subjects;
  return c.filter_subject ? [c.filter_subject] : [];
}

export function alignConsumer(desired: ConsumerConfig, live: ConsumerConfig): ConsumerConfig {
  const out: ConsumerConfig = { ...desired };
  const df = filters(desired);
  if (df.length > 0 && sameSet(df, filters(live))) {
    delete out.filter_subject;
    delete out.filter_subjects;
    if (live.filter_subject) out.filter_subject = live.filter_subject;
    if (live.filter_subjects?.length) out.filter_subjects = live.filter_subjects;
  }
  if (sameInstant(desired.opt_start_time, live.opt_start_time)) out.opt_start_time = live.opt_start_time!;
  if (sameInstant(desired.pause_until, live.pause_until)) out.pause_until = live.pause_until!;
  if (
    desired.sample_freq &&
    live.sample_freq &&
    desired.sample_freq.replace("%", "") === live.sample_freq.replace("%", "")
  ) {
    out.sample_freq = live.sample_freq;
  }
  // Swapping filter_subject for filter_subjects moved keys: back to key order, as every canonical config.
  return sortKeys(out as Record<string, unknown>) as unknown as ConsumerConfig;
}
