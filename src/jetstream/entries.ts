// KV entries as jsplan writes and reads them: the key's subject, and the headers that record that jsplan
// wrote a key (and for which owner). Ownership lives on the key's own message, so that nothing outside the
// server is needed to know which keys are jsplan's; an application's put carries no such header, so a key
// an application rewrote is no longer jsplan's.

/** On every message jsplan writes to a key. */
export const MANAGED_HEADER = "Jsplan-Managed";
/** The manifest's owner, on every message jsplan writes to a key when the manifest has one. */
export const OWNER_HEADER = "Jsplan-Owner";
/** What the plan shows instead of a sensitive value. */
export const ENTRY_SENSITIVE = "(sensitive)";
/** The KV clients' marker of a deleted or purged key (its last message). */
export const KV_OPERATION_HEADER = "KV-Operation";

/**
 * A sensitive value rides with its change in memory, on a property that no output sees: not enumerable and
 * keyed by a symbol, so JSON (plan --format json, plan --out), util.inspect and object spreads leave it out.
 * A plan read back from JSON has none, and apply then refuses the step rather than write a placeholder.
 */
const SENSITIVE_VALUE = Symbol("jsplan.sensitive-value");

export function hideSensitiveValue<T extends object>(wire: T, value: string): T {
  Object.defineProperty(wire, SENSITIVE_VALUE, { value, enumerable: false });
  return wire;
}

export function sensitiveValueOf(wire: unknown): string | undefined {
  if (!wire || typeof wire !== "object") return undefined;
  const v = (wire as Record<symbol, unknown>)[SENSITIVE_VALUE];
  return typeof v === "string" ? v : undefined;
}

export function kvKeySubject(bucket: string, key: string): string {
  return `$KV.${bucket}.${key}`;
}

/** The key of a subject of bucket `bucket` (`$KV.B.a.b` → `a.b`). */
export function keyOfSubject(bucket: string, subject: string): string | undefined {
  const prefix = `$KV.${bucket}.`;
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined;
}

/**
 * The headers of a stored message (`NATS/1.0\r\nName: value\r\n…`, as STREAM.MSG.GET returns them), by
 * lower-cased name; the first value of each.
 */
export function parseHeaders(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = raw.split("\r\n");
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** True for a delete or purge marker (the key has no value). */
export function isDeleteMarker(headers: ReadonlyMap<string, string>): boolean {
  const op = headers.get(KV_OPERATION_HEADER.toLowerCase());
  return op === "DEL" || op === "PURGE";
}
