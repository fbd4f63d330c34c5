// One command of the CLI as data: its yargs definition and what it runs. run.ts registers them all; the
// command's module (commands/*.ts) is imported only when it runs, so start-up loads none of them.

import type { Argv } from "yargs";
import { type Style, styleFor } from "../../render/style.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";

export interface GlobalArgs {
  /** --color (true), --no-color (false), or neither (undefined). */
  color: boolean | undefined;
  quiet: boolean;
  verbose: boolean;
}

/** The parsed arguments of a command, as yargs hands them over. */
export type Args = GlobalArgs & Record<string, unknown>;

export interface CommandSpec {
  /** yargs' command string, e.g. `plan [paths..]`. */
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv<GlobalArgs>) => Argv<GlobalArgs>;
  /** Runs the command; undefined for a command that yargs completes itself (completion). */
  readonly run?: (args: Args, io: CliIO) => Promise<number>;
}

/** Colours on the stream a command writes its output to: see styleFor for --color, NO_COLOR, FORCE_COLOR. */
export function styleOf(args: GlobalArgs, io: CliIO, stream: "stdout" | "stderr" = "stderr"): Style {
  return styleFor(io[stream].isTTY, io.env, args.color);
}

/** yargs drops a lone `-`, which means standard input; it travels through the parser under this name. */
export const STDIN_ARG = "\u0000stdin";

export function pathsArg(paths: unknown): string[] {
  return ((paths as string[] | undefined) ?? []).map((p) => (p === STDIN_ARG ? "-" : p));
}

/** The positional manifest paths of plan and apply. */
export const MANIFEST_PATHS = {
  type: "string",
  array: true,
  default: [] as string[],
  describe: "Manifest files or directories (default: jsplan.yaml)",
} as const;

/** --target, for plan and apply. */
export function targetOption(verb: "Plan" | "Apply") {
  return {
    type: "string",
    array: true,
    default: [] as string[],
    describe: `${verb} only this resource (stream.NAME, consumer.STREAM.NAME, kv.BUCKET, objectstore.BUCKET) and what it needs; repeatable`,
  } as const;
}

/** The markdown output's size limit and pointer to the full plan, for plan and show. */
export const MARKDOWN_OPTIONS = {
  "max-chars": {
    type: "number",
    default: 65_536,
    describe:
      "With --format markdown: at most this many characters (a GitHub comment holds 65,536); a longer plan is shortened, destructive steps kept in full",
  },
  "full-plan": {
    type: "string",
    describe:
      "With --format markdown: where the full plan is (a link to the job log or artifact), said when it is shortened",
  },
} as const;

/**
 * The markdown options of parsed arguments; a --max-chars too small to hold a plan's head is a usage error.
 * (Checked when the command runs, not in yargs' check: that runs before yargs reports a flag that lacks its
 * value, whose message must win.)
 */
export function markdownArgs(args: Args): { maxChars: number; fullPlan?: string } {
  const n = args["max-chars"] as number;
  if (!Number.isInteger(n) || n < 1000)
    throw new ExitError(
      1,
      'jsplan: --max-chars must be a whole number of at least 1000\nRun "jsplan --help" for usage.',
    );
  return {
    maxChars: n,
    ...(typeof args["full-plan"] === "string" && args["full-plan"] !== ""
      ? { fullPlan: args["full-plan"] }
      : {}),
  };
}
