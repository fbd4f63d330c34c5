// Rules that look across resources: subjects shared between streams, and cycles of mirrors and sources.

import { KV_PREFIX, kvStreamName } from "../../jetstream/buckets.js";
import type { DesiredKv, DesiredObjectStore, DesiredStream } from "../../model/desired.js";
import type { AnyDesired, Findings } from "./report.js";
import { SubjectIndex } from "./subject-index.js";

interface Claim {
  readonly owner: AnyDesired;
  readonly label: string;
  readonly path: string;
  readonly subject: string;
  readonly first: string;
}

/** The subjects a KV bucket's or object store's backing stream takes, as the official clients create them. */
export function bucketSubjects(b: DesiredKv | DesiredObjectStore): string[] {
  if (b.kind === "kv") return b.spec.mirror ? [] : [`$KV.${b.name}.>`];
  return [`$O.${b.name}.C.>`, `$O.${b.name}.M.>`];
}

/**
 * Two streams in one account may not share a subject (the server answers 10065). Claims are looked up in a
 * subject index, so that 20,000 streams under one prefix do not cost 200 million comparisons.
 */
export function checkSubjectOverlaps(
  streams: readonly DesiredStream[],
  buckets: ReadonlyArray<DesiredKv | DesiredObjectStore>,
  f: Findings,
): void {
  const claims: Claim[] = [];
  for (const s of streams) {
    if (s.config.mirror) continue;
    const subjects = s.config.subjects?.length ? s.config.subjects : s.config.sources?.length ? [] : [s.name];
    subjects.forEach((subject, i) => {
      claims.push({
        owner: s,
        label: `stream ${s.name}`,
        path: s.config.subjects?.length ? `subjects[${i}]` : "name",
        subject,
        first: subject.split(".")[0]!,
      });
    });
  }
  for (const b of buckets) {
    for (const subject of bucketSubjects(b)) {
      claims.push({
        owner: b,
        label: `${b.kind === "kv" ? "KV bucket" : "object store"} ${b.name}`,
        path: "bucket",
        subject,
        first: subject.split(".")[0]!,
      });
    }
  }
  // Each claim is reported once, against the first earlier claim of another resource that it overlaps.
  const earlier = new SubjectIndex<Claim>();
  for (const a of claims) {
    const b = earlier.firstCollision(a.subject, a.owner)?.item;
    if (b) {
      f.error(
        a.owner,
        a.path,
        "subject-overlap",
        `subject "${a.subject}" overlaps "${b.subject}" of ${b.label} (${b.owner.origin.pos.file}:${b.owner.origin.pos.line}); two streams cannot share subjects`,
      );
    }
    earlier.add(a.subject, a, a.owner);
  }
}

/**
 * Mirrors and sources form a graph between streams. A cycle copies messages around forever (the server
 * rejects it when the subjects overlap, with "detected cycle"). Unfiltered cycles are errors; a cycle
 * where every edge is filtered may be intended and is a warning.
 */
export function checkSourceCycles(streams: readonly DesiredStream[], f: Findings): void {
  const byName = new Map(streams.map((s) => [s.name, s]));
  const edges = new Map<string, Array<{ to: string; filtered: boolean }>>();
  for (const s of streams) {
    const list: Array<{ to: string; filtered: boolean }> = [];
    const origins = s.config.mirror ? [s.config.mirror] : (s.config.sources ?? []);
    for (const o of origins) {
      if (o.external) continue; // another account or domain: not in this graph
      if (!byName.has(o.name)) continue;
      list.push({ to: o.name, filtered: Boolean(o.filter_subject || o.subject_transforms?.length) });
    }
    edges.set(s.name, list);
  }
  const state = new Map<string, "visiting" | "done">();
  const stack: Array<{ name: string; filtered: boolean }> = [];
  const reported = new Set<string>();
  const visit = (name: string) => {
    state.set(name, "visiting");
    for (const e of edges.get(name) ?? []) {
      if (e.to === name) {
        const s = byName.get(name)!;
        f.error(
          s,
          s.config.mirror ? "mirror.name" : "sources",
          "source-cycle",
          `stream ${name} cannot mirror or source itself`,
        );
        continue;
      }
      const st = state.get(e.to);
      if (st === "visiting") {
        const start = stack.findIndex((x) => x.name === e.to);
        const cycle = [...stack.slice(start).map((x) => x.name), name, e.to];
        const key = [...cycle].sort().join(",");
        if (reported.has(key)) continue;
        reported.add(key);
        const allFiltered = stack.slice(start).every((x) => x.filtered) && e.filtered;
        const s = byName.get(name)!;
        const msg = `mirrors and sources form a cycle: ${cycle.join(" → ")}; messages would be copied around forever`;
        if (allFiltered)
          f.warning(
            s,
            s.config.mirror ? "mirror" : "sources",
            "source-cycle",
            `${msg} unless the filters keep them apart`,
          );
        else f.error(s, s.config.mirror ? "mirror" : "sources", "source-cycle", msg);
      } else if (st === undefined) {
        stack.push({ name, filtered: e.filtered });
        visit(e.to);
        stack.pop();
      }
    }
    state.set(name, "done");
  };
  for (const s of streams) if (!state.has(s.name)) visit(s.name);
}

/**
 * A mirror or a sourcing stream with a max_msg_size must accept every message of its origin: nats-server
 * refuses one whose limit is below its origin's (10030 for mirrors, 10046 for sources), on create and on
 * update (2.10 and 2.15 alike). Unlimited on either side is fine. KV buckets mirror and source buckets, with
 * max_value_size as their stream's max_msg_size.
 */
export function checkOriginMessageSizes(
  streams: readonly DesiredStream[],
  buckets: readonly DesiredKv[],
  f: Findings,
): void {
  const limits = new Map<string, { size: number; label: string }>();
  for (const s of streams)
    limits.set(s.name, { size: s.config.max_msg_size ?? -1, label: `stream ${s.name}` });
  for (const b of buckets) {
    limits.set(kvStreamName(b.name), { size: b.spec.max_value_size ?? -1, label: `KV bucket ${b.name}` });
  }
  const check = (
    owner: DesiredStream | DesiredKv,
    own: number,
    field: string,
    origins: ReadonlyArray<{ name: string; external?: unknown; domain?: unknown; path: string }>,
    originName: (name: string) => string,
  ) => {
    if (!(own > 0)) return;
    for (const o of origins) {
      if (o.external || o.domain) continue; // another account or domain: not visible here
      const origin = limits.get(originName(o.name));
      if (!origin || !(origin.size > 0) || own >= origin.size) continue;
      f.error(
        owner,
        field,
        "origin-message-size",
        `${field} (${own} bytes) is smaller than that of its origin ${origin.label} (${origin.size} bytes) at ${o.path}: the server refuses a mirror or source that cannot take every message of its origin; raise it, or leave it unlimited`,
      );
    }
  };
  for (const s of streams) {
    const c = s.config;
    const origins = c.mirror
      ? [{ ...c.mirror, path: "mirror" }]
      : (c.sources ?? []).map((x, i) => ({ ...x, path: `sources[${i}]` }));
    check(s, c.max_msg_size ?? -1, "max_msg_size", origins, (n) => n);
  }
  for (const b of buckets) {
    const spec = b.spec;
    const origins = spec.mirror
      ? [{ ...spec.mirror, path: "mirror" }]
      : (spec.sources ?? []).map((x, i) => ({ ...x, path: `sources[${i}]` }));
    check(b, spec.max_value_size ?? -1, "max_value_size", origins, (n) =>
      n.startsWith(KV_PREFIX) ? n : kvStreamName(n),
    );
  }
}
