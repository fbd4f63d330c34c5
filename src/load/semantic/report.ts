import type { DesiredConsumer, DesiredKv, DesiredObjectStore, DesiredStream } from "../../model/desired.js";
import type { Diagnostic, Severity } from "../../model/diagnostic.js";

export type AnyDesired = DesiredStream | DesiredConsumer | DesiredKv | DesiredObjectStore;

/**
 * A rule about one resource: it reports what the server would refuse, or silently change, about it. Rules
 * stand in tables and run in table order, which is the order of their findings at one position.
 */
export type Rule<R extends AnyDesired> = (resource: R, f: Findings) => void;

/** Collects semantic findings about resources, each pointing at the field it is about. */
export class Findings {
  readonly list: Diagnostic[] = [];

  error(resource: AnyDesired, path: string, code: string, message: string): void {
    this.add("error", resource, path, code, message);
  }

  warning(resource: AnyDesired, path: string, code: string, message: string): void {
    this.add("warning", resource, path, code, message);
  }

  private add(severity: Severity, resource: AnyDesired, path: string, code: string, message: string): void {
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
