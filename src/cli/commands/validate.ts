// `jsplan validate [PATH...]`: load and check manifests, offline. Exit 1 on any error, 0 otherwise.

import { loadManifests } from "../../load/load.js";
import type { DesiredState } from "../../model/desired.js";
import { countBySeverity, diagnosticToJson, plural, renderDiagnostics } from "../../render/diagnostics.js";
import type { Style } from "../../render/style.js";
import type { CliIO } from "../io.js";

export interface ValidateArgs {
  readonly paths: readonly string[];
  readonly format: "text" | "json";
  readonly quiet: boolean;
}

export async function validateCommand(args: ValidateArgs, io: CliIO, style: Style): Promise<number> {
  const result = await loadManifests(args.paths, {
    cwd: io.cwd,
    env: io.env,
    readStdin: (n) => io.readStdin(n),
  });
  const listed = countBySeverity(result.diagnostics);
  // Past the first screens, problems are counted, not listed.
  const errors = listed.errors + (result.unlisted?.errors ?? 0);
  const warnings = listed.warnings + (result.unlisted?.warnings ?? 0);
  const files = result.files.map((f) => f.path);
  if (args.format === "json") {
    const body = {
      valid: errors === 0,
      files,
      summary: {
        errors,
        warnings,
        ...(result.unlisted ? { unlisted: result.unlisted } : {}),
        ...(result.desired ? counts(result.desired) : {}),
      },
      diagnostics: result.diagnostics.map(diagnosticToJson),
    };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return errors === 0 ? 0 : 1;
  }
  if (result.diagnostics.length > 0) io.stderr.write(renderDiagnostics(result.diagnostics, style));
  if (result.unlisted) io.stderr.write(`${unlistedLine(result.unlisted)}\n`);
  if (errors > 0) {
    io.stderr.write(
      `${style.red("✗")} ${plural(errors, "error")}${warnings ? ` and ${plural(warnings, "warning")}` : ""} in ${plural(files.length, "file")}\n`,
    );
    return 1;
  }
  if (!args.quiet && result.desired) {
    const c = counts(result.desired);
    const what = [
      plural(c.streams, "stream"),
      plural(c.consumers, "consumer"),
      ...(c.key_value ? [plural(c.key_value, "KV bucket")] : []),
      ...(c.object_stores ? [plural(c.object_stores, "object store")] : []),
    ].join(", ");
    const where = files.length === 1 ? files[0] : plural(files.length, "file");
    io.stdout.write(
      `${style.green("✓")} ${where} ${files.length === 1 ? "is" : "are"} valid: ${what}${warnings ? ` (${plural(warnings, "warning")})` : ""}\n`,
    );
  }
  return 0;
}

function unlistedLine(u: { errors: number; warnings: number }): string {
  const more = [
    ...(u.errors ? [plural(u.errors, "more error")] : []),
    ...(u.warnings ? [plural(u.warnings, "more warning")] : []),
  ].join(" and ");
  return `… and ${more}, not listed: fix the ones above first`;
}

function counts(d: DesiredState) {
  return {
    streams: d.streams.length,
    consumers: d.consumers.length,
    key_value: d.keyValues.length,
    object_stores: d.objectStores.length,
  };
}
