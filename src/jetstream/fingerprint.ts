// A short fingerprint of a live config as the server holds it (without the server's own `_nats.*` metadata
// keys), so that apply can tell, just before a step, whether the resource changed since the plan saw it.
// FNV-1a over the config's JSON with sorted keys: pure and fast (the plan computes one for every step on an
// existing resource); it detects change, it does not resist forgery.

import { stripServerMetadata } from "./metadata.js";

/** The config as JSON with keys sorted at every level and the server's metadata keys left out. */
export function stableJson(config: { metadata?: Readonly<Record<string, string>> }): string {
  const metadata = stripServerMetadata(config.metadata);
  const { metadata: _drop, ...rest } = config;
  return JSON.stringify(sorted({ ...rest, ...(metadata ? { metadata } : {}) }));
}

/** Any JSON value with object keys sorted at every level: equal values give equal text. */
export function sortedJson(v: unknown): string {
  return JSON.stringify(sorted(v)) ?? "undefined";
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** `fnv1a64:` and 16 hex digits: 64-bit FNV-1a of the stable JSON, computed in two 32-bit halves. */
export function configFingerprint(config: { metadata?: Readonly<Record<string, string>> }): string {
  const text = stableJson(config);
  // 64-bit FNV-1a: offset basis 0xcbf29ce484222325, prime 0x100000001b3 (2^40 + 0x1b3).
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // (hi, lo) * 0x100000001b3 = (hi, lo) * 0x1b3 + (lo << 40), mod 2^64.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    hi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = newLo;
  }
  return `fnv1a64:${hi.toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")}`;
}
