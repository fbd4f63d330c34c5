// Values as both YAML paths make them: every key an own property, `__proto__` an ordinary key.

/** Sets a key as an own property, also `__proto__` (which plain assignment would take as the prototype). */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}
