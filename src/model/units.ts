// The one place where human units meet wire values. Manifests and renderers speak human units;
// everything between them speaks nanoseconds and bytes.
//
// Durations travel as JS numbers of nanoseconds. Values past 2^53 ns (~104 days) are still exact as long as
// they are whole milliseconds of less than ~285 years (the odd part of the product stays below 2^53), which
// covers every duration a manifest can reasonably hold; the server stores them as int64 and echoes them back.

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

const DURATION_UNITS: Record<string, number> = {
  ns: NS,
  us: US,
  µs: US,
  ms: MS,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: WEEK,
};

/** The source of `#/$defs/duration` in the manifest schema: keep the two in step. */
export const DURATION_PATTERN = "^(?:[0-9]+(?:\\.[0-9]+)?(?:ns|us|µs|ms|s|m|h|d|w))+$";
const DURATION_RE = new RegExp(DURATION_PATTERN);
const DURATION_PART_RE = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d|w)/g;

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

/** Parses a manifest duration (`30s`, `1h30m`, `0`) into nanoseconds. */
export function parseDuration(input: unknown): UnitResult {
  // Only the number 0 is a duration without a unit; a quoted "0" gets the hint of any other bare number.
  if (input === 0) return { ok: true, value: 0 };
  if (typeof input === "number") {
    return {
      ok: false,
      message: `a duration needs a unit: did you mean "${input}s"? (units: ms, s, m, h, d, w)`,
    };
  }
  if (typeof input !== "string") {
    return { ok: false, message: `expected a duration such as "30s" or "1h30m", got ${describe(input)}` };
  }
  const text = input.trim();
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(text)) {
    return {
      ok: false,
      message: `a duration needs a unit: did you mean "${text}s"? (units: ms, s, m, h, d, w)`,
    };
  }
  if (!DURATION_RE.test(text)) {
    const hint = durationHint(text);
    return {
      ok: false,
      message: `"${input}" is not a duration: use a number with a unit (ns, us, ms, s, m, h, d, w), e.g. "30s", "1h30m"${hint}`,
    };
  }
  let total = 0;
  for (const m of text.matchAll(DURATION_PART_RE)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  }
  const value = Math.round(total);
  if (Number.isSafeInteger(value)) return { ok: true, value };
  const exact = exactNanoseconds(text);
  if (exact > INT64_MAX) {
    return {
      ok: false,
      message: `"${input}" is too long a duration: the server holds durations as int64 nanoseconds (at most ${INT64_MAX}ns, about 292 years)`,
    };
  }
  if (BigInt(value) !== exact) {
    return {
      ok: false,
      message: `"${input}" is ${exact}ns, which jsplan cannot carry exactly (past ${MAX_EXACT}ns, about 104 days, a duration must be a whole number of milliseconds or so); round it, e.g. to whole seconds`,
    };
  }
  return { ok: true, value };
}

/** The largest whole number that JavaScript (and so jsplan) holds exactly: 2^53 − 1. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;
/** The server's int64 and int32 ranges (Go's encoding/json refuses larger values: 10025). */
export const INT64_MAX = 9223372036854775807n;
export const INT32_MAX = 2147483647;

/** Why a whole number beyond MAX_EXACT is refused: JavaScript would round it before sending. */
export function beyondExactMessage(what = "a whole number"): string {
  return `${what} above ${MAX_EXACT} (2^53 − 1) cannot be carried exactly: JavaScript rounds it (9007199254740993 would be sent as 9007199254740992), so jsplan refuses it; use -1 for unlimited where the field allows it, or a smaller value`;
}

/** A duration's nanoseconds computed exactly (half up), to tell a rounded float from an exact one. */
function exactNanoseconds(text: string): bigint {
  let total = 0n;
  for (const m of text.matchAll(DURATION_PART_RE)) {
    const [whole, frac = ""] = m[1]!.split(".");
    const scale = 10n ** BigInt(frac.length);
    total += (BigInt(whole! + frac) * BigInt(DURATION_UNITS[m[2]!]!) * 2n + scale) / (2n * scale);
  }
  return total;
}

function durationHint(text: string): string {
  const lower = text.toLowerCase().replace(/\s+/g, "");
  const words: Array<[RegExp, string]> = [
    [/^([0-9.]+)(sec|secs|second|seconds)$/, "s"],
    [/^([0-9.]+)(min|mins|minute|minutes)$/, "m"],
    [/^([0-9.]+)(hr|hrs|hour|hours)$/, "h"],
    [/^([0-9.]+)(day|days)$/, "d"],
    [/^([0-9.]+)(wk|wks|week|weeks)$/, "w"],
    [/^([0-9.]+)(msec|millis|milliseconds?)$/, "ms"],
    [/^([0-9.]+)(ns|us|ms|s|m|h|d|w)$/, ""],
  ];
  for (const [re, unit] of words) {
    const m = re.exec(lower);
    if (m) return `; did you mean "${m[1]}${unit || m[2]}"?`;
  }
  return "";
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

/** The source of the string branch of `#/$defs/size` in the manifest schema. */
export const SIZE_PATTERN = "^[0-9]+(?:\\.[0-9]+)?\\s?(?:B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$";
const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?)\s?(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$/;

/** Parses a manifest size (`512`, `10GiB`, `1.5GB`, `-1` where `allowUnlimited`) into bytes. */
export function parseSize(input: unknown, allowUnlimited = true): UnitResult {
  if (typeof input === "number") {
    if (!Number.isInteger(input)) return { ok: false, message: `a size in bytes must be a whole number` };
    // 1e300 is a whole number too, but no JSON number holds it exactly and the server's int64 not at all.
    if (!Number.isSafeInteger(input)) return { ok: false, message: beyondExactMessage("a size") };
    if (input === -1 && allowUnlimited) return { ok: true, value: -1 };
    if (input < 0) {
      return {
        ok: false,
        message: allowUnlimited ? `a size must be -1 (unlimited) or at least 0` : `a size must be at least 0`,
      };
    }
    return { ok: true, value: input };
  }
  if (typeof input !== "string") {
    return { ok: false, message: `expected a size such as 1048576 or "1MiB", got ${describe(input)}` };
  }
  const text = input.trim();
  const m = SIZE_RE.exec(text);
  if (!m) {
    return {
      ok: false,
      message: `"${input}" is not a size: use bytes or a unit (KB, MB, GB, TB, KiB, MiB, GiB, TiB)${sizeHint(text)}`,
    };
  }
  const value = Math.round(Number(m[1]) * SIZE_UNITS[m[2]!]!);
  if (!Number.isSafeInteger(value)) {
    return { ok: false, message: `"${input}" is too large a size: ${beyondExactMessage("a size")}` };
  }
  return { ok: true, value };
}

function sizeHint(text: string): string {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s?([a-zA-Z]+)$/.exec(text);
  if (!m) return "";
  const unit = m[2]!;
  const fixed = Object.keys(SIZE_UNITS).find((u) => u.toLowerCase() === unit.toLowerCase());
  if (fixed) return `; units are case-sensitive: did you mean "${m[1]}${fixed}"?`;
  const short: Record<string, string> = {
    k: "KiB",
    m: "MiB",
    g: "GiB",
    t: "TiB",
    ki: "KiB",
    mi: "MiB",
    gi: "GiB",
    ti: "TiB",
  };
  const guess = short[unit.toLowerCase()];
  return guess ? `; did you mean "${m[1]}${guess}"?` : "";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

const FORMAT_DURATION_UNITS: Array<[string, number]> = [
  ["d", DAY],
  ["h", HOUR],
  ["m", MINUTE],
  ["s", SECOND],
  ["ms", MS],
  ["us", US],
  ["ns", NS],
];

/**
 * Formats nanoseconds the way a person writes them: `30d`, `1h30m`, `250ms`, `0s`.
 * Weeks are not used (`14d` reads better than `2w` in a diff next to `30d`). The output parses back to the
 * same value with `parseDuration`.
 */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 0) return `-${formatDuration(-ns)}`;
  let rest = ns;
  let out = "";
  for (const [unit, size] of FORMAT_DURATION_UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const FORMAT_SIZE_UNITS: Array<[string, number]> = [
  ["PiB", 2 ** 50],
  ["TiB", 2 ** 40],
  ["GiB", 2 ** 30],
  ["MiB", 2 ** 20],
  ["KiB", 2 ** 10],
  ["PB", 1e15],
  ["TB", 1e12],
  ["GB", 1e9],
  ["MB", 1e6],
  ["KB", 1e3],
];

/** Formats bytes exactly, with the unit that divides the value into the smallest number (`10GiB`, `50GB`). */
export function formatSize(bytes: number): string {
  if (bytes === -1) return "unlimited";
  if (bytes <= 0) return String(bytes);
  let best = String(bytes);
  let bestN = bytes;
  for (const [unit, size] of FORMAT_SIZE_UNITS) {
    if (bytes >= size && bytes % size === 0 && bytes / size < bestN) {
      bestN = bytes / size;
      best = `${bestN}${unit}`;
    }
  }
  return best;
}

/** Bytes rounded for reading (`78.0 KiB`, `1.2 GiB`), for amounts rather than settings. */
export function formatBytesApprox(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
