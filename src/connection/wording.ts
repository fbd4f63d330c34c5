// Phrases the connection and JetStream explanations share.

import type { ConnectionSettings } from "./settings.js";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Where a context or the environment may be the reason: said once, at the end of a message. */
export function fromWhere(s: ConnectionSettings): string {
  return s.source ? ` (settings from ${s.source})` : "";
}
