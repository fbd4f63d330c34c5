/**
 * Objects with keys in a stable order, so that JSON output and fingerprints do not depend on input order.
 * An object already in order, without undefined values, is returned as it is: the canonical configs are
 * built in key order, and a copy of each of a plan's 55,000 creates would only be garbage for V8 to carry.
 */
export function sortKeys<T extends object>(o: T): T {
  if (inOrder(o as Record<string, unknown>)) return o;
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src).sort()) if (src[k] !== undefined) out[k] = src[k];
  return out as T;
}

function inOrder(o: Record<string, unknown>): boolean {
  let previous = "";
  for (const k in o) {
    if (!Object.hasOwn(o, k) || o[k] === undefined || k < previous) return false;
    previous = k;
  }
  return true;
}
