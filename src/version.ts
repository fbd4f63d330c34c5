import { readFileSync } from "node:fs";
import { PACKAGE_ROOT } from "./package-root.js";

let cached: string | undefined;

/** jsplan's own version, from package.json (read once, lazily). */
export function jsplanVersion(): string {
  if (cached === undefined) {
    const url = new URL("package.json", PACKAGE_ROOT);
    cached = (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  }
  return cached;
}
