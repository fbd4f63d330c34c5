// Building the changes of a plan: one shape for every action (the same keys in the same order, so plan JSON
// reads alike), field diffs classified by the server's rules, and what makes a change destructive or blocked.

import type { Classification } from "../jetstream/classify-common.js";
import { diffConfigs, type RawFieldChange } from "../jetstream/field-diff.js";
import { configFingerprint } from "../jetstream/fingerprint.js";
import { isProtected } from "../jetstream/ownership.js";
import { sortKeys } from "../jetstream/sort-keys.js";
import type { ResourceKind } from "../model/address.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import type { ObservedStream } from "../model/observed.js";
import type { Change, FieldChange, PlanSummary, Reason, WireConfig } from "../model/plan.js";
import { adoptedField, reason } from "./messages.js";

/** What identifies the resource a change is about. */
export interface Subject {
  readonly kind: ResourceKind;
  readonly address: string;
  readonly name: string;
  /** For consumers: their stream. */
  readonly stream?: string | undefined;
  /** When the live resource was created (undefined when there is none): apply checks it is still that one. */
  readonly created?: string | undefined;
  /** The live config as the server holds it, for the fingerprint apply checks before a step. */
  readonly liveConfig?: object | undefined;
  /** The fingerprint already worked out, when a change is made again from another (more reasons). */
  readonly fingerprint?: string | null | undefined;
}

interface ChangeParts extends Subject {
  readonly action: Change["action"];
  readonly destructive: boolean;
  readonly blocked?: boolean;
  readonly reasons: readonly Reason[];
  readonly diff: readonly FieldChange[];
  readonly before: object | null;
  readonly after: object | null;
  readonly loses?: Change["loses"];
}

/** Every change has the same keys in the same order, whatever its action, so that plan JSON reads alike. */
export function makeChange(c: ChangeParts): Change {
  return {
    address: c.address,
    kind: c.kind,
    name: c.name,
    ...(c.stream ? { stream: c.stream } : {}),
    action: c.action,
    destructive: c.destructive,
    blocked: c.blocked ?? false,
    reasons: c.reasons.map((r) => r.message),
    reason_details: c.reasons,
    diff: c.diff,
    before: c.before as WireConfig | null,
    after: c.after as WireConfig | null,
    before_created: c.action === "create" ? null : (c.created ?? null),
    before_fingerprint: fingerprintOf(c),
    ...(c.loses ? { loses: c.loses } : {}),
  } as Change;
}

/** Steps on an existing resource carry the fingerprint of its live config (computed for those only). */
function fingerprintOf(c: ChangeParts): string | null {
  if (c.action === "create" || c.action === "no-op") return null;
  if (c.liveConfig) return configFingerprint(c.liveConfig);
  return c.fingerprint ?? null;
}

export function createChange(s: Subject, after: object): Change {
  return makeChange({
    ...s,
    action: "create",
    destructive: false,
    reasons: [],
    diff: [],
    before: null,
    after: sortKeys(after),
  });
}

export function deleteChange(s: Subject, before: object, why: Reason): Change {
  return makeChange({
    ...s,
    action: "delete",
    destructive: true,
    reasons: [why],
    diff: [],
    before,
    after: null,
  });
}

export function noOpChange(s: Subject, config: object): Change {
  return makeChange({
    ...s,
    action: "no-op",
    destructive: false,
    reasons: [],
    diff: [],
    before: config,
    after: config,
  });
}

/**
 * Compares two canonical configs field by field: an update when the server takes every difference in place,
 * a replace when one field forces it, a no-op without differences. `adoptingFor`: the live resource carries
 * no owner marker, and this change stamps it with this owner.
 */
export function compare(
  s: Subject,
  before: StreamConfig | ConsumerConfig,
  after: StreamConfig | ConsumerConfig,
  classify: (ch: RawFieldChange) => Classification,
  adoptingFor: string | undefined,
): Change {
  const raw = diffConfigs(before, after).sort(byPath);
  const reasons: Reason[] = [];
  const diff: FieldChange[] = raw.map((r) => {
    const cls = classify(r);
    const stamps = r.path === 'metadata["jsplan.owner"]' || (r.path === "metadata" && r.before === undefined);
    const why = adoptingFor !== undefined && stamps ? adoptedField(adoptingFor) : cls.reason;
    if (cls.forcesReplace && cls.reason) reasons.push(reason.forcedBy(r.path, cls.reason));
    return {
      path: r.path,
      ...(r.before !== undefined ? { before: r.before } : {}),
      ...(r.after !== undefined ? { after: r.after } : {}),
      forces_replace: cls.forcesReplace,
      ...(why ? { reason: why } : {}),
    };
  });
  if (adoptingFor !== undefined) reasons.push(reason.adopting(s.kind, adoptingFor));
  const action = raw.length === 0 ? "no-op" : diff.some((d) => d.forces_replace) ? "replace" : "update";
  return makeChange({
    ...s,
    action,
    destructive: action === "replace",
    reasons: action === "no-op" ? [] : reasons,
    diff,
    before,
    after,
  });
}

/** Where a protection comes from: the manifest's protect: true, the live marker, or a blocked stream step. */
export type Protection = "manifest" | "marker" | "parent" | undefined;

export function protection(
  manifest: boolean,
  metadata: Readonly<Record<string, string>> | undefined,
): Protection {
  if (manifest) return "manifest";
  return isProtected(metadata) ? "marker" : undefined;
}

/** The change as a destructive one: what it loses, further reasons, and blocked when protected. */
export function destructive(
  c: Change,
  protect: Protection,
  loses: Change["loses"],
  extra: readonly Reason[] = [],
): Change {
  const reasons = [...c.reason_details, ...extra];
  if (protect === "manifest") reasons.push(reason.blockedByManifest);
  else if (protect === "marker") reasons.push(reason.blockedByMarker);
  else if (protect === "parent") reasons.push(reason.blockedByParent(c.action));
  return makeChange({
    ...c,
    created: c.before_created ?? undefined,
    fingerprint: c.before_fingerprint,
    destructive: true,
    blocked: protect !== undefined,
    reasons,
    ...(loses && Object.keys(loses).length > 0 ? { loses } : {}),
  });
}

/** A change with more reasons (and, for a consumer whose stream is replaced, another action). */
export function withReasons(
  c: Change,
  extra: readonly Reason[],
  action: Change["action"] = c.action,
): Change {
  return makeChange({
    ...c,
    created: c.before_created ?? undefined,
    fingerprint: c.before_fingerprint,
    action,
    reasons: [...c.reason_details, ...extra],
  });
}

export function lossOf(obs: ObservedStream): { messages?: number; bytes?: number } {
  return obs.state ? { messages: obs.state.messages, bytes: obs.state.bytes } : {};
}

export function summarise(changes: readonly Change[]): PlanSummary {
  const s = { create: 0, update: 0, replace: 0, delete: 0, no_op: 0 };
  for (const c of changes) {
    if (c.action === "no-op") s.no_op++;
    else s[c.action]++;
  }
  return s;
}

export function byAddress(a: { address: string }, b: { address: string }): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
