// nats-server refuses a stream whose subjects overlap those of another stream in the account (10065
// "subjects overlap with an existing stream"), on create and on update. The manifest's own streams are
// checked against each other when it is loaded; here its streams are checked against the live streams that
// stay: those it does not manage (unmanaged, or another owner's) and does not delete.

import { ownership } from "../../jetstream/ownership.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { streamSide } from "../../model/plan.js";
import { subjectsCollide } from "../../model/subjects.js";
import type { PlanContext } from "../context.js";
import { at } from "../diagnostics.js";
import type { Ordered } from "../ordering.js";

interface Held {
  readonly subject: string;
  readonly stream: string;
}

/** The subjects of the live streams that stay, by first token (`*` and `>` first tokens under "*"). */
function stayingSubjects(ctx: PlanContext, ordered: Ordered): Map<string, Held[]> {
  const deleted = new Set(
    ordered.changes
      .filter((c) => c.kind !== "consumer" && c.action === "delete" && !c.blocked)
      .map((c) => String(c.before?.name ?? c.name)),
  );
  const index = new Map<string, Held[]>();
  for (const o of ctx.observed.streams.values()) {
    if (ctx.wantedByStream.has(o.name) || deleted.has(o.name)) continue;
    for (const subject of o.config.subjects ?? []) {
      const first = subject.split(".", 1)[0]!;
      const key = first === "*" || first === ">" ? "*" : first;
      const list = index.get(key);
      if (list) list.push({ subject, stream: o.name });
      else index.set(key, [{ subject, stream: o.name }]);
    }
  }
  return index;
}

function candidates(index: ReadonlyMap<string, Held[]>, subject: string): Held[] {
  const first = subject.split(".", 1)[0]!;
  if (first === "*" || first === ">") return [...index.values()].flat();
  return [...(index.get(first) ?? []), ...(index.get("*") ?? [])];
}

export function checkLiveOverlaps(ctx: PlanContext, ordered: Ordered): Diagnostic[] {
  const index = stayingSubjects(ctx, ordered);
  if (index.size === 0) return [];
  const out: Diagnostic[] = [];
  for (const c of ordered.changes) {
    if (
      c.kind === "consumer" ||
      c.blocked ||
      (c.action !== "create" && c.action !== "update" && c.action !== "replace")
    )
      continue;
    const r = ctx.wantedByStream.get(String(c.after?.name ?? c.name));
    if (!r) continue;
    const subjects = streamSide(c, "after")!.subjects ?? [];
    subjects.forEach((subject, i) => {
      const hit = candidates(index, subject).find((h) => subjectsCollide(subject, h.subject));
      if (!hit) return;
      const path = r.kind === "stream" ? `subjects[${i}]` : "";
      out.push(at(r, path, "error", "plan.live-subject-overlap", overlapMessage(ctx, subject, hit)));
    });
  }
  return out;
}

function overlapMessage(ctx: PlanContext, subject: string, hit: Held): string {
  const live = ctx.observed.streams.get(hit.stream)!;
  const own = ownership(live.config.metadata, ctx.owner);
  const whose =
    own.kind === "other"
      ? `which belongs to owner "${own.owner}"`
      : own.kind === "ours"
        ? "which stays (protect: true blocks its deletion)"
        : "which this manifest does not manage";
  return `subject "${subject}" overlaps "${hit.subject}" of the live stream ${hit.stream}, ${whose}: the server refuses it (10065 "subjects overlap with an existing stream"). Change the subject, or delete ${hit.stream} or manage it in this manifest first`;
}
