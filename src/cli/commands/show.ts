// `jsplan show PLANFILE`: a saved plan as text, JSON or markdown, read from the file alone (no server).
// The saved plan is not checked against a server here; `apply --plan` does that.

import { readSavedPlan } from "../../reconcile/saved-plan.js";
import type { MarkdownOptions } from "../../render/markdown.js";
import type { Style } from "../../render/style.js";
import type { CliIO } from "../io.js";
import { exitFor } from "../planning.js";
import { type OutputFormat, renderPlan } from "./plan.js";

export interface ShowArgs {
  readonly file: string;
  readonly format: OutputFormat;
  readonly quiet: boolean;
  readonly markdown?: MarkdownOptions;
}

export async function showCommand(args: ShowArgs, io: CliIO, style: Style): Promise<number> {
  let saved: Awaited<ReturnType<typeof readSavedPlan>>;
  try {
    saved = await readSavedPlan(args.file);
  } catch (err) {
    return exitFor(err, io, style);
  }
  io.stdout.write(renderPlan(saved, args.format, style, args.markdown));
  if (args.format === "text" && !args.quiet) {
    const files = saved.saved.manifest_files;
    io.stderr.write(
      style.dim(
        `Saved ${saved.saved.created_at} from ${files.length === 0 ? "no manifest file" : files.join(", ")} by jsplan ${saved.jsplan_version}. To carry it out: jsplan apply --plan ${args.file} (it is checked against the server first).\n`,
      ),
    );
  }
  return 0;
}
