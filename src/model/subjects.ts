// NATS subject rules, as nats-server's sublist.go applies them: tokens separated by `.`, `*` matches one
// token, `>` matches one or more trailing tokens. `foo*` is a literal token, not a wildcard.

export function tokens(subject: string): string[] {
  return subject.split(".");
}

/** Why a subject is invalid, or undefined when it is valid. */
export function subjectProblem(subject: string): string | undefined {
  if (subject === "") return "a subject cannot be empty";
  if (/\s/.test(subject)) return "a subject cannot contain white space";
  const parts = tokens(subject);
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i]!;
    if (t === "") return "a subject cannot have empty tokens (a leading, trailing or double '.')";
    if (t === ">" && i !== parts.length - 1) return "'>' can only be the last token of a subject";
  }
  return undefined;
}

/** True when some literal subject matches both patterns (the server's `SubjectsCollide`). */
export function subjectsCollide(a: string, b: string): boolean {
  const ta = tokens(a);
  const tb = tokens(b);
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === ">" || y === ">") return true;
    if (x === "*" || y === "*") continue;
    if (x !== y) return false;
  }
  if (ta.length === tb.length) return true;
  // Different lengths: only a trailing `>` on the shorter one can absorb the rest, and that case returned above.
  return false;
}

/** True when every subject matched by `sub` is also matched by `pattern` (`orders.eu.*` ⊆ `orders.>`). */
export function isSubsetMatch(sub: string, pattern: string): boolean {
  const ts = tokens(sub);
  const tp = tokens(pattern);
  for (let i = 0; i < tp.length; i++) {
    const p = tp[i]!;
    if (p === ">") return i < ts.length;
    const s = ts[i];
    if (s === undefined) return false;
    if (p === "*") {
      if (s === ">") return false;
      continue;
    }
    if (s !== p) return false;
  }
  return ts.length === tp.length;
}
