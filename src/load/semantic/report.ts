import type { DesiredConsumer, DesiredKv, DesiredObjectStore, DesiredStream } from "../../model/desired.js";
import { type Diagnostic, LISTED_DIAGNOSTICS, type Severity, type Unlisted } from "../../model/diagnostic.js";

export type AnyDesired = DesiredStream | DesiredConsumer | DesiredKv | DesiredObjectStore;

/**
 * A rule about one resource: it reports what the server would refuse, or silently change, about it. Rules
 * stand in tables and run in table order, which is the order of their findings at one position.
 */
export type Rule<R extends AnyDesired> = (resource: R, f: Findings) => void;

/** Collects semantic findings about resources, each pointing at the field it is about. */
export class Findings {
  readonly list: Diagnostic[] = [];
  /** Findings past the first LISTED_DIAGNOSTICS: counted, not located (a position may cost a parse). */
  readonly unlisted: Unlisted = { errors: 0, warnings: 0 };

  /** Every finding so far, listed or not. */
  get count(): number {
    return this.list.length + this.unlisted.errors + this.unlisted.warnings;
  }

  error(resource: AnyDesired, path: string, code: string, message: string): void {
    this.add("error", resource, path, code, message);
  }

  warning(resource: AnyDesired, path: string, code: string, message: string): void {
    this.add("warning", resource, path, code, message);
  }

  private add(severity: Severity, resource: AnyDesired, path: string, code: string, message: string): void {
    if (this.list.length >= LISTED_DIAGNOSTICS) {
      if (severity === "error") this.unlisted.errors++;
      else this.unlisted.warnings++;
      return;
    }
    this.list.push({
      severity,
      pos: path === "" ? resource.origin.pos : resource.origin.fieldPos(path),
      address: resource.address,
      ...(path === "" ? {} : { path }),
      code: `semantic.${code}`,
      message,
    });
  }
}
