/** Server versions as numbers that compare: "2.12.5" → [2, 12, 5]. Pre-release tags sort before the release. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

export function parseVersion(text: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!m) return { major: 0, minor: 0, patch: 0, text };
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when `v` is `min` or newer. */
export function atLeast(v: Version, min: string): boolean {
  return compareVersions(v, parseVersion(min)) >= 0;
}
