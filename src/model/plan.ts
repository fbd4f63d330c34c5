// The plan as plain data: what `plan --format json` prints and `plan --out` saves, and the only thing the
// renderers and apply read. Its shape is a public contract (format_version 1.x): add fields, never change
// or remove them without a new major version.

import type { ResourceKind } from "./address.js";
import type { ConsumerConfig, StreamConfig } from "./jetstream.js";

/**
 * 1.1 added `reason_details`, `before_created` and `before_fingerprint` to changes, and `code` and `path` to
 * warnings; 1.2 added `target`.
 */
export const PLAN_FORMAT_VERSION = "1.2";

export type Action = "create" | "update" | "replace" | "delete" | "no-op";

/** One field that differs, in wire units. `before`/`after` are absent when the field is unset on that side. */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** True when this field alone makes an in-place update impossible. */
  readonly forces_replace: boolean;
  /** Why it forces a replacement, or why it changes at all when the manifest does not say (e.g. adoption). */
  readonly reason?: string;
}

/**
 * Why a change happens: a stable `code` (renderers and tools switch on it), the field it is about, when it
 * is about one, and the text for people.
 */
export interface Reason {
  readonly code: string;
  readonly path?: string;
  readonly message: string;
}

/** Configs as the server holds them, in wire units (nanoseconds, bytes), without server-owned metadata. */
export type WireConfig = Readonly<Record<string, unknown>>;

/**
 * A change's config on one side as the stream config it is (streams, and KV buckets and object stores: the
 * config of their backing stream). A change keeps its configs as plain JSON (it is plan data, read back from
 * saved plans); this is the one place the plan, apply and their checks read one as typed.
 */
export function streamSide(
  c: Pick<Change, "before" | "after">,
  side: "before" | "after",
): StreamConfig | null {
  return c[side] as unknown as StreamConfig | null;
}

/** A consumer change's config on one side, typed (see streamSide). */
export function consumerSide(
  c: Pick<Change, "before" | "after">,
  side: "before" | "after",
): ConsumerConfig | null {
  return c[side] as unknown as ConsumerConfig | null;
}

interface ChangeBase {
  readonly address: string;
  readonly kind: ResourceKind;
  /** Stream, consumer or bucket name. */
  readonly name: string;
  /** For consumers: the stream they belong to. */
  readonly stream?: string;
  /** Deletes and replaces lose data (messages) or delivery state (consumers). */
  readonly destructive: boolean;
  /** `protect: true` forbids this destructive step: it is shown, and apply refuses it. */
  readonly blocked: boolean;
  /** Why this action: forced fields, adoption, cascade from a replaced stream, ownership (the messages). */
  readonly reasons: readonly string[];
  /** The same reasons with their codes (`field-forces-replace`, `adopt`, …), in the same order. */
  readonly reason_details: readonly Reason[];
  readonly diff: readonly FieldChange[];
  readonly before: WireConfig | null;
  readonly after: WireConfig | null;
  /**
   * When the live resource the plan saw was created (null for a create): before each step on an existing
   * resource, apply checks that the resource at the address is still that one. Since 1.1.
   */
  readonly before_created: string | null;
  /**
   * For a step on an existing resource (update, replace, delete): a fingerprint of its live config when
   * planned (`fnv1a64:…`); apply refuses the step when the config changed since. Null otherwise. Since 1.1.
   */
  readonly before_fingerprint: string | null;
  /** What a destructive step loses, when known (messages and bytes of a stream, consumers removed with it). */
  readonly loses?: {
    readonly messages?: number;
    readonly bytes?: number;
    readonly consumers?: readonly string[];
    /**
     * An in-place update that lowers a limit below what the stream holds: the messages the server removes
     * (exact, a lower bound, or null when the state cannot tell) and the limits that remove them. Since 1.1.
     */
    readonly trims?: Trims;
  };
}

/** What an update that lowers a limit removes (see ChangeBase.loses). */
export interface Trims {
  /** How many messages: exactly this many, at least this many, or null (some, how many is not known). */
  readonly messages: number | null;
  readonly exact: boolean;
  /** The limits that remove them: `max_msgs`, `max_bytes`, `max_msgs_per_subject`, `max_age`. */
  readonly fields: readonly string[];
}

export interface CreateChange extends ChangeBase {
  readonly action: "create";
  readonly before: null;
  readonly after: WireConfig;
}

export interface UpdateChange extends ChangeBase {
  readonly action: "update";
  readonly before: WireConfig;
  readonly after: WireConfig;
}

export interface ReplaceChange extends ChangeBase {
  readonly action: "replace";
  readonly before: WireConfig;
  readonly after: WireConfig;
}

export interface DeleteChange extends ChangeBase {
  readonly action: "delete";
  readonly before: WireConfig;
  readonly after: null;
}

export interface NoOpChange extends ChangeBase {
  readonly action: "no-op";
  readonly before: WireConfig;
  readonly after: WireConfig;
}

export type Change = CreateChange | UpdateChange | ReplaceChange | DeleteChange | NoOpChange;

/** One call (or delete-then-create pair) of the apply, in execution order. */
export interface Step {
  readonly address: string;
  readonly action: Exclude<Action, "no-op">;
  /** Addresses of earlier steps that must succeed first; steps with disjoint dependencies may run together. */
  readonly depends_on: readonly string[];
}

export interface PlanServer {
  readonly version: string;
  readonly api_level: number | null;
  readonly cluster: string | null;
  readonly domain: string | null;
  readonly name?: string | null;
  readonly id?: string | null;
}

/** Where a plan was made, as far as jsplan knows: never with credentials. Since 1.2. */
export interface PlanTarget {
  /** The server URL(s) connected to, without user, password or token. */
  readonly url: string | null;
  /** The natscli context the settings came from, when one was used. */
  readonly context: string | null;
  /** The account's name, when the server said it. */
  readonly account: string | null;
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly no_op: number;
}

export interface PlanDiagnostic {
  readonly severity: "error" | "warning";
  /** A stable code (`plan.compression`, `semantic.inactive-durable`, …). */
  readonly code: string;
  readonly address: string | null;
  /** The field the diagnostic is about, when it is about one. */
  readonly path: string | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

export interface Plan {
  readonly format_version: string;
  readonly jsplan_version: string;
  readonly server: PlanServer;
  readonly owner: string | null;
  /** Every resource the manifest declares or jsplan owns, sorted by address. */
  readonly changes: readonly Change[];
  readonly steps: readonly Step[];
  /** Resources on the server that this manifest does not manage and never touches. */
  readonly unmanaged: readonly string[];
  readonly summary: PlanSummary;
  /** Addresses the plan was limited to with --target, or null for a full plan. */
  readonly targets: readonly string[] | null;
  readonly warnings: readonly PlanDiagnostic[];
  /** Where the plan was made (absent in a plan made without a connection, e.g. from the API). Since 1.2. */
  readonly target?: PlanTarget;
}

/** A plan saved with `plan --out`, which `apply --plan` carries out after checking it is still current. */
export interface SavedPlan extends Plan {
  readonly saved: {
    readonly created_at: string;
    readonly manifest_sha256: string;
    readonly manifest_files: readonly string[];
    /** Per step address: a fingerprint of the resource's state when planned ("absent" when it did not exist). */
    readonly fingerprints: Readonly<Record<string, string>>;
  } & SavedManifest;
}

/**
 * A variable as a saved plan records it: its value, null where it was unset, or only the digest of its value
 * (a manifest with sensitive KV entries: `apply --plan` takes the value from its own environment).
 */
export type RecordedVariable = string | null | { readonly sha256: string };

/** The input a saved plan was made from, so that `apply --plan` can make it again (added in 1.1). */
export interface SavedManifest {
  /** The manifest files as read. */
  readonly sources: readonly { readonly path: string; readonly text: string }[];
  /** The value of each variable the files reference, null where it was not set. */
  readonly variables: Readonly<Record<string, RecordedVariable>>;
  readonly targets: readonly string[];
}
