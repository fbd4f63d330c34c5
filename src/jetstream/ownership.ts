// Who owns a live resource. jsplan stamps `jsplan.owner: <owner>` into the metadata of everything it
// creates or updates, and `jsplan.protect: "true"` into protected resources, so that both facts survive a
// resource's removal from the manifest: jsplan deletes only what carries its owner's marker, and never
// what carries the protect marker.

import { OWNER_KEY } from "../model/jetstream.js";

export const PROTECT_KEY = "jsplan.protect";

export function ownerOf(metadata: Readonly<Record<string, string>> | undefined): string | undefined {
  return metadata?.[OWNER_KEY];
}

export function isProtected(metadata: Readonly<Record<string, string>> | undefined): boolean {
  return metadata?.[PROTECT_KEY] === "true";
}

/** The metadata jsplan sends: the manifest's own keys plus the markers. */
export function withMarkers(
  metadata: Readonly<Record<string, string>> | undefined,
  owner: string | undefined,
  protect: boolean,
): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(metadata ?? {}) };
  if (owner !== undefined) out[OWNER_KEY] = owner;
  if (protect) out[PROTECT_KEY] = "true";
  return Object.keys(out).length > 0 ? out : undefined;
}

export type Ownership =
  | { readonly kind: "ours" }
  | { readonly kind: "unmarked" }
  | { readonly kind: "other"; readonly owner: string };

export function ownership(
  metadata: Readonly<Record<string, string>> | undefined,
  owner: string | undefined,
): Ownership {
  const marker = ownerOf(metadata);
  if (marker === undefined) return { kind: "unmarked" };
  if (owner !== undefined && marker === owner) return { kind: "ours" };
  return { kind: "other", owner: marker };
}
