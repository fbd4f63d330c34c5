// Every text the plan stage writes, in one place: the reasons of changes (with a stable code that the
// renderers switch on) and the messages of its errors and warnings.

import { PROTECT_KEY } from "../jetstream/ownership.js";
import type { ResourceKind } from "../model/address.js";
import type { Reason } from "../model/plan.js";

const noun = (kind: ResourceKind) =>
  kind === "consumer" ? "consumer" : kind === "stream" ? "stream" : kind === "kv_entry" ? "key" : "bucket";

/** Why a change happens, as data: `code` is stable, `message` is for people. */
export const reason = {
  /** A field the server cannot change in place forces the replace. */
  forcedBy: (path: string, why: string): Reason => ({
    code: "field-forces-replace",
    path,
    message: `${path}: ${why}`,
  }),
  adopting: (kind: ResourceKind, owner: string): Reason => ({
    code: "adopt",
    message: `adopting an existing ${noun(kind)}: its first apply stamps metadata jsplan.owner=${owner}`,
  }),
  /** A declared key that jsplan did not write for this owner: the apply writes it with the owner's header. */
  adoptingEntry: (owner: string, writtenByJsplan: boolean): Reason => ({
    code: "adopt",
    message: writtenByJsplan
      ? `adopting a key jsplan wrote without an owner: its first apply stamps it as owned by ${owner}`
      : `adopting a key an application wrote: its first apply writes it with the owner ${owner}`,
  }),
  /** Without an owner: a declared key an application wrote gets the manifest's value. */
  overwritingEntry: {
    code: "overwrite-unmanaged",
    message:
      "the key was written by an application; the manifest declares it, so apply writes the manifest's value",
  } as Reason,
  parentReplaced: (stream: string): Reason => ({
    code: "parent-replaced",
    message: `its stream ${stream} is replaced, which deletes its consumers`,
  }),
  replaceDeletesConsumers: (n: number): Reason => ({
    code: "replace-deletes-consumers",
    message: `replacing the stream deletes its consumer${n === 1 ? "" : `s (${n})`}; those in the manifest are created again`,
  }),
  consumersLost: (names: readonly string[]): Reason => ({
    code: "consumers-lost",
    message: `not in the manifest, so lost for good: ${names.join(", ")}`,
  }),
  consumerStateLost: {
    code: "consumer-state-lost",
    message:
      "replacing a consumer loses its delivery state (position, pending acknowledgements, redelivery counts)",
  } as Reason,
  ownedNotDeclared: (what: string, owner: string | undefined): Reason => ({
    code: "owned-not-in-manifest",
    message: `${what} carries this manifest's owner marker (${owner}) and is no longer in the manifest`,
  }),
  streamDeleted: (stream: string): Reason => ({
    code: "parent-deleted",
    message: `its stream ${stream} is deleted`,
  }),
  deletesUnmanagedConsumers: (names: readonly string[]): Reason => ({
    code: "deletes-unmanaged-consumers",
    message: `deleting it also deletes consumers that this manifest does not manage: ${names.join(", ")}`,
  }),
  blockedByManifest: {
    code: "blocked-protect",
    message: "protect: true forbids deleting or replacing it: the step is blocked",
  } as Reason,
  blockedByMarker: {
    code: "blocked-protect-marker",
    message: `it was applied with protect: true (metadata ${PROTECT_KEY}), so it is never deleted or replaced: the step is blocked. To delete it, declare it again with protect: false, apply, then remove it`,
  } as Reason,
  blockedByParent: (action: "delete" | "replace" | string): Reason => ({
    code: "blocked-parent",
    message: `the ${action === "delete" ? "deletion" : "replacement"} of its stream is blocked, so this step is blocked too`,
  }),
};

/** A field-level note on a stamp of the owner marker. */
export const adoptedField = (owner: string) => `adopted: jsplan marks it as owned by ${owner}`;

/** Messages of the plan's errors and warnings, by code. */
export const message = {
  entriesNotRead: (bucket: string) =>
    `the keys of KV bucket ${bucket} were not read, so its entries cannot be planned; read the state with observe(session, desired) (the CLI does)`,
  applyRunning: (holder: string) =>
    `another jsplan apply is running in this account (${holder}): this plan shows the server as it is mid-apply, and may change when that apply ends`,
  streamUnavailable: (stream: string, why: string) =>
    `stream ${stream} is unavailable (${why}); jsplan will not plan a create or delete for it. Try again when its servers are back, or plan other resources with --target`,
  consumersUnavailable: (stream: string, why: string) =>
    `stream ${stream} is unavailable (${why}); its consumers cannot be planned now`,
  unavailableLeftAlone: (stream: string, why: string) =>
    `stream ${stream} is unavailable (${why}); it is not in the manifest, so the plan leaves it alone`,
  sealedCreate: "a stream cannot be created sealed: create it first, then add sealed: true and apply again",
  sealedReplace: (reasons: readonly string[]) =>
    `this change replaces the stream (${reasons.join("; ")}), and a stream cannot be created sealed: apply the change without sealed: true first, then add sealed: true and apply again`,
  compression:
    "a new compression setting applies to data written after the server's next restart; stored data keeps its compression",
  noStream: (stream: string) =>
    `stream ${stream} does not exist on the server and is not in the manifest; add the stream to the manifest or fix the name`,
  ownerConflict: (address: string, theirs: string, ours: string | undefined) => {
    const mine = ours === undefined ? "this manifest has no owner" : `this manifest's owner is "${ours}"`;
    return `${address} belongs to owner "${theirs}" (its metadata jsplan.owner), and ${mine}; manage it from one manifest only, or change its jsplan.owner metadata to move it`;
  },
  hiddenSourceConsumers: (dependents: readonly string[]) => {
    const one = dependents.length === 1;
    return (
      `${dependents.join(", ")} ${one ? "mirrors or sources" : "mirror or source"} this stream and ` +
      `${one ? "holds a consumer" : "hold consumers"} on it that the server checks against the stricter ` +
      `consumer_limits, but that jsplan cannot read (the server does not list ${one ? "it" : "them"}): ` +
      'the server may refuse this update (10069 "change to limits violates consumers"). If it does, keep the old limits, or remove the mirror or source first'
    );
  },
  hiddenSourceConsumersRefuse: (dependents: readonly string[], version: string) => {
    const one = dependents.length === 1;
    const rule =
      version.startsWith("2.10") || version.startsWith("2.11")
        ? "this server compares every consumer with the new limits, unset ones included, so any change is refused unless consumer_limits.inactive_threshold is at least 10s"
        : "a consumer_limits.inactive_threshold below 10s is refused";
    return `${dependents.join(", ")} ${one ? "mirrors or sources" : "mirror or source"} this stream through a consumer of the server's own on it, which has inactive_threshold 10s, and ${rule}: the server refuses this update (10069 "change to limits violates consumers"). Set consumer_limits.inactive_threshold to 10s or more, or remove the mirror or source first`;
  },
  consumerOverLimits: (o: {
    stream: string;
    consumer: string;
    field: string;
    value: string;
    limit: string;
    managed: boolean;
  }) =>
    `consumer ${o.stream}.${o.consumer} has ${o.field} ${o.value}, above the new consumer_limits.${o.field} ${o.limit}, and this plan leaves it as it is${o.managed ? "" : " (the manifest does not manage it)"}: the server refuses this update (10069 "change to limits violates consumers: ${o.consumer}"). ${o.managed ? `Give the consumer an ${o.field} of at most ${o.limit} in the manifest` : `Lower the consumer's ${o.field} to at most ${o.limit} first, or delete it`}, or keep consumer_limits.${o.field} at ${o.value} or more`,
  ignoredChanges: (diffs: readonly { path: string }[]) => {
    const paths = [...new Set(diffs.map((d) => d.path))];
    const one = paths.length === 1;
    return `ignore_changes: ${paths.join(", ")} ${one ? "differs" : "differ"} on the server and ${one ? "is" : "are"} left as ${one ? "it is" : "they are"} (the manifest's value is used only when the resource is created)`;
  },
  cycle: (left: readonly string[]) =>
    `the changes depend on each other in a cycle and cannot be ordered: ${left.join(", ")}`,
  consumerLimitsOrder: (consumer: string, stream: string) =>
    `${consumer} exceeds the consumer_limits that ${stream} is getting, so it must change first, but its new settings exceed the stream's current consumer_limits, so it must change after: the server takes neither order. Apply in two steps: first give the consumer values within both the current and the new limits, then the rest`,
  targetUnmanaged: (t: string) =>
    `--target ${t}: it is on the server but not managed by this manifest (no owner marker of this manifest, and not declared in it); declare it in the manifest to manage it`,
  targetUnknown: (t: string) =>
    `--target ${t}: no such resource in the manifest or on the server (addresses look like stream.NAME, consumer.STREAM.NAME, kv.BUCKET, objectstore.BUCKET)`,
};
