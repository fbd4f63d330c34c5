// Phase: the keys of KV buckets that declare `entries`, after the buckets themselves are ordered. An entry is
// data in its bucket, not a stream's setting: its steps come after its bucket's step (a create, an update or
// the create half of a replace), and nothing else depends on them, so they never change the order or the
// preflight of the streams and consumers.
//
// Ownership is recorded on the key itself (the message header Jsplan-Owner, see jetstream/entries.ts):
// jsplan deletes only keys that carry this manifest's owner, adopts a key someone else wrote only when the
// manifest declares it (the plan says so), and never touches another owner's key.

import { kvStreamName } from "../jetstream/buckets.js";
import { ENTRY_SENSITIVE, hideSensitiveValue } from "../jetstream/entries.js";
import { kvAddress, kvEntryAddress } from "../model/address.js";
import type { DesiredEntry, DesiredKv } from "../model/desired.js";
import type { ObservedBucketEntries, ObservedEntry } from "../model/observed.js";
import type { Change, FieldChange, Reason, Step, WireConfig } from "../model/plan.js";
import type { PlanContext } from "./context.js";
import { at } from "./diagnostics.js";
import { message, reason } from "./messages.js";
import type { Ordered } from "./ordering.js";

const NO_ENTRIES: ObservedBucketEntries = { live: new Map(), deleted: new Map() };

/** The ordered plan with the entries' changes and steps added (after every step of their bucket). */
export function planEntries(ctx: PlanContext, ordered: Ordered): Ordered {
  const buckets = ctx.desired.keyValues.filter((b) => b.entries !== undefined);
  if (buckets.length === 0) return ordered;
  const stepOf = new Set(ordered.steps.map((s) => s.address));
  const targets = ordered.targets;
  const changes: Change[] = [];
  const steps: Step[] = [];
  for (const b of buckets) {
    const bucketChange = ordered.changes.find((c) => c.address === b.address);
    const targeted = (address: string) =>
      !targets || targets.includes(address) || targets.includes(b.address);
    // A bucket outside the plan's targets, or one that could not be planned, has no entries planned.
    if (targets && !bucketChange) continue;
    const fresh = !ctx.observed.streams.has(kvStreamName(b.name)) || bucketChange?.action === "replace";
    const observed = fresh ? NO_ENTRIES : ctx.observed.entries?.get(b.name);
    if (!observed) {
      ctx.errors.push(at(b, "entries", "error", "plan.entries-not-read", message.entriesNotRead(b.name)));
      continue;
    }
    const dependsOn = stepOf.has(b.address) ? [b.address] : [];
    for (const c of entryChanges(ctx, b, observed, fresh)) {
      if (!targeted(c.address)) continue;
      changes.push(c);
      if (c.action !== "no-op") steps.push({ address: c.address, action: c.action, depends_on: dependsOn });
    }
  }
  if (changes.length === 0) return ordered;
  return {
    ...ordered,
    changes: [...ordered.changes, ...changes].sort((x, y) => (x.address < y.address ? -1 : 1)),
    steps: [...ordered.steps, ...steps],
  };
}

function entryChanges(
  ctx: PlanContext,
  b: DesiredKv,
  observed: ObservedBucketEntries,
  fresh: boolean,
): Change[] {
  const out: Change[] = [];
  const declared = new Set<string>();
  for (const e of b.entries ?? []) {
    declared.add(e.key);
    const live = observed.live.get(e.key);
    if (live?.owner !== undefined && live.owner !== ctx.owner) {
      ctx.errors.push(
        at(
          b,
          entryPath(e.key),
          "error",
          "plan.owner-conflict",
          message.ownerConflict(kvEntryAddress(b.name, e.key), live.owner, ctx.owner),
        ),
      );
      continue;
    }
    out.push(declaredChange(ctx, b, e, live, fresh ? 0 : (observed.deleted.get(e.key) ?? 0)));
  }
  // Keys this manifest's owner wrote that it no longer declares. Without an owner nothing is ours to delete.
  if (ctx.owner === undefined || fresh) return out;
  for (const live of observed.live.values()) {
    if (declared.has(live.key) || live.owner !== ctx.owner) continue;
    const sensitive = b.sensitive === true;
    out.push(
      entryChange(b.name, live.key, {
        action: "delete",
        reasons: [reason.ownedNotDeclared(`key ${live.key} of KV bucket ${b.name}`, ctx.owner)],
        diff: [],
        before: wire(live.value, live.owner, sensitive),
        after: null,
        revision: live.revision,
        created: live.created,
      }),
    );
  }
  return out;
}

function declaredChange(
  ctx: PlanContext,
  b: DesiredKv,
  e: DesiredEntry,
  live: ObservedEntry | undefined,
  deletedAt: number,
): Change {
  const after = e.sensitive
    ? hideSensitiveValue(wire(e.value, ctx.owner, true), e.value)
    : wire(e.value, ctx.owner, false);
  if (!live) {
    return entryChange(b.name, e.key, {
      action: "create",
      reasons: [],
      diff: [],
      before: null,
      after,
      revision: deletedAt,
    });
  }
  const diff: FieldChange[] = [];
  if (live.value !== e.value) {
    diff.push(
      e.sensitive
        ? {
            path: "value",
            before: ENTRY_SENSITIVE,
            after: ENTRY_SENSITIVE,
            forces_replace: false,
            reason: "sensitive",
          }
        : { path: "value", before: live.value, after: e.value, forces_replace: false },
    );
  }
  const reasons: Reason[] = [];
  // Someone else wrote the key (an application, or jsplan without an owner): declaring it adopts it. With an
  // owner the first apply stamps it even when the value is already right, so that it is ours from then on.
  const adopting = ctx.owner !== undefined && live.owner === undefined;
  if (adopting) {
    diff.push({ path: "owner", after: ctx.owner, forces_replace: false, reason: "adopted" });
    reasons.push(reason.adoptingEntry(ctx.owner!, live.managed));
  } else if (!live.managed && diff.length > 0) {
    reasons.push(reason.overwritingEntry);
  }
  return entryChange(b.name, e.key, {
    action: diff.length > 0 ? "update" : "no-op",
    reasons,
    diff,
    before: wire(live.value, live.owner, e.sensitive),
    after,
    revision: live.revision,
    created: live.created,
  });
}

/** An entry as plan data: its value (or the sensitive marker in its place) and the owner it carries. */
function wire(value: string, owner: string | undefined, sensitive: boolean): WireConfig {
  return {
    ...(owner !== undefined ? { owner } : {}),
    ...(sensitive ? { sensitive: true, value: ENTRY_SENSITIVE } : { value }),
  };
}

interface EntryParts {
  readonly action: Change["action"];
  readonly reasons: readonly Reason[];
  readonly diff: readonly FieldChange[];
  readonly before: WireConfig | null;
  readonly after: WireConfig | null;
  /** The key's revision when planned (0: it never existed); apply writes only if it is still the last. */
  readonly revision: number;
  readonly created?: string;
}

/**
 * The same keys as every other change (see makeChange). `before_fingerprint` is `revision:N` for every
 * action, a create included (N is the revision of the key's delete marker, or 0): apply sends it as the
 * expected last sequence of the key's subject, so the server itself refuses a write over a key that changed.
 */
function entryChange(bucket: string, key: string, p: EntryParts): Change {
  return {
    address: kvEntryAddress(bucket, key),
    kind: "kv_entry",
    name: key,
    stream: kvStreamName(bucket),
    action: p.action,
    destructive: false,
    blocked: false,
    reasons: p.reasons.map((r) => r.message),
    reason_details: p.reasons,
    diff: p.diff,
    before: p.before,
    after: p.after,
    before_created: p.created ?? null,
    before_fingerprint: `revision:${p.revision}`,
  } as Change;
}

function entryPath(key: string): string {
  return `entries[${JSON.stringify(key)}]`;
}

/** The bucket address of an entry address, for --target. */
export function bucketOfEntry(address: string): string | undefined {
  if (!address.startsWith("kv_entry.")) return undefined;
  const rest = address.slice("kv_entry.".length);
  const dot = rest.indexOf(".");
  return dot > 0 ? kvAddress(rest.slice(0, dot)) : undefined;
}
