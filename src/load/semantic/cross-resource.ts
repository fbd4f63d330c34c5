// Rules that look across resources: subjects shared between streams, and cycles of mirrors and sources.

import type { DesiredKv, DesiredObjectStore, DesiredStream } from "../../model/desired.js";
import { subjectsCollide } from "../../model/subjects.js";
import type { AnyDesired, Findings } from "./report.js";

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
 * Two streams in one account may not share a subject (the server answers 10065). Claims are grouped by their
 * first token so that 1,000 streams do not cost a million comparisons; wildcard first tokens are compared
 * with everything.
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
  const byFirst = new Map<string, Claim[]>();
  const wild: Claim[] = [];
  for (const c of claims) {
    if (c.first === "*" || c.first === ">") wild.push(c);
    else {
      const list = byFirst.get(c.first);
      if (list) list.push(c);
      else byFirst.set(c.first, [c]);
    }
  }
  const report = (a: Claim, b: Claim) => {
    if (a.owner === b.owner || !subjectsCollide(a.subject, b.subject)) return;
    f.error(
      a.owner,
      a.path,
      "subject-overlap",
      `subject "${a.subject}" overlaps "${b.subject}" of ${b.label} (${b.owner.origin.pos.file}:${b.owner.origin.pos.line}); two streams cannot share subjects`,
    );
  };
  for (const group of byFirst.values()) {
    for (let i = 0; i < group.length; i++) for (let j = 0; j < i; j++) report(group[i]!, group[j]!);
  }
  for (let i = 0; i < wild.length; i++) {
    for (let j = 0; j < i; j++) report(wild[i]!, wild[j]!);
    for (const c of claims) if (c.first !== "*" && c.first !== ">") report(wild[i]!, c);
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
