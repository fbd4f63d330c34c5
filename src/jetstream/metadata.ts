import { SERVER_METADATA_PREFIX } from "../model/jetstream.js";

/**
 * Metadata without the server's own `_nats.*` keys (ADR-44 version markers, added by 2.11+), or undefined
 * when nothing is left: an empty map and no map are the same to the server.
 */
export function stripServerMetadata(
  m: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) {
    if (!k.startsWith(SERVER_METADATA_PREFIX)) out[k] = m[k]!;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
