// Argument parsing and wiring: which command runs with which options. Commands return an exit code or throw
// ExitError; nothing here exits the process.

import type { Argv } from "yargs";
import { jsplanVersion } from "../version.js";
import { applySpec } from "./args/apply.js";
import { type Args, type CommandSpec, type GlobalArgs, STDIN_ARG } from "./args/command.js";
import { exportSpec } from "./args/export.js";
import { planSpec } from "./args/plan.js";
import { schemaSpec } from "./args/schema.js";
import { validateSpec } from "./args/validate.js";
import { ExitError } from "./exit-error.js";
import { fastArgs } from "./fast-args.js";
import type { CliIO } from "./io.js";

type Handler = () => Promise<number>;

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const args = argv.map((a) => (a === "-" ? STDIN_ARG : a));
  const lane = fastArgs(args);
  const spec = lane && COMMANDS.find((c) => c.command.split(" ")[0] === lane.command);
  if (lane && spec?.run) return execute(() => spec.run!(lane.args, io), argv, io);
  return runWithYargs(args, argv, io);
}

/** The arguments as yargs reads them, the command chosen, its arguments: for the fast-lane test. */
export async function parseWithYargs(
  argv: readonly string[],
  io: CliIO,
): Promise<{ command: string; args: Args } | undefined> {
  let parsed: { command: string; args: Args } | undefined;
  const parser = await buildParser([...argv], io, (_h, command, args) => {
    parsed = { command, args };
  });
  let failed = false;
  await parser.parseAsync([...argv], {}, (err) => {
    if (err) failed = true;
  });
  return failed ? undefined : parsed;
}

async function runWithYargs(args: string[], argv: readonly string[], io: CliIO): Promise<number> {
  let handler: Handler | undefined;
  const parser = await buildParser(args, io, (h) => {
    handler = h;
  });

  let output = "";
  let usageError: string | undefined;
  try {
    await parser.parseAsync(args, {}, (err, _args, out) => {
      output = out;
      if (err) usageError = err.message;
    });
  } catch (err) {
    usageError = (err as Error).message;
  }
  if (usageError !== undefined) {
    // A value that starts with "-" reads as a flag; say how to pass it (it may be a password).
    const missing = /^Not enough arguments following: (\S+)$/.exec(usageError);
    if (missing) usageError += ` (a value that starts with "-" goes as --${missing[1]}=VALUE)`;
    io.stderr.write(`jsplan: ${usageError}\nRun "jsplan --help" for usage.\n`);
    return 1;
  }
  if (handler === undefined) {
    // --help or --version: yargs rendered the text for us.
    if (output) io.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
    return 0;
  }
  return execute(handler, argv, io);
}

async function execute(handler: Handler, argv: readonly string[], io: CliIO): Promise<number> {
  const verbose = argv.includes("--verbose");
  try {
    return await handler();
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.message) io.stderr.write(`${err.message}\n`);
      if (verbose && err.cause instanceof Error && err.cause.stack) io.stderr.write(`${err.cause.stack}\n`);
      return err.code;
    }
    // A bug: say so plainly, and show the stack only when asked.
    const e = err as Error;
    io.stderr.write(`jsplan: internal error: ${e?.message ?? String(err)}\n`);
    io.stderr.write(
      verbose ? `${e?.stack ?? ""}\n` : "Run again with --verbose for details, and please report it.\n",
    );
    return 1;
  }
}

const COMMANDS: readonly CommandSpec[] = [validateSpec, planSpec, applySpec, exportSpec, schemaSpec];

async function buildParser(
  argv: string[],
  io: CliIO,
  setHandler: (h: Handler, command: string, args: Args) => void,
): Promise<Argv<GlobalArgs>> {
  const { default: yargs } = await import("yargs");
  let parser: Argv<GlobalArgs> = yargs(argv)
    .scriptName("jsplan")
    .usage(
      "$0 <command> [options]\n\nDeclarative reconciler for NATS JetStream: validate, plan and apply manifests.",
    )
    .version(jsplanVersion())
    .alias("version", "V")
    .help()
    .alias("help", "h")
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .wrap(Math.min(110, io.stdout.columns ?? 100))
    .env(false)
    .options({
      color: {
        type: "boolean",
        default: true,
        describe: "Colour output on a terminal (--no-color or NO_COLOR turn it off)",
      },
      quiet: { type: "boolean", default: false, describe: "Print only errors and the result" },
      verbose: {
        type: "boolean",
        default: false,
        describe: "Print more detail, including stack traces of internal errors",
      },
    });
  for (const spec of COMMANDS) {
    parser = parser.command(spec.command, spec.describe, spec.builder, (args) => {
      setHandler(
        () => spec.run!(args as unknown as Args, io),
        spec.command.split(" ")[0]!,
        args as unknown as Args,
      );
    });
  }
  return (
    parser
      // Our own `completion` command, so that `jsplan completion --help` shows help like every other
      // command; yargs' hidden one only wires up --get-yargs-completions, which the script calls.
      .command(
        "completion",
        "Print a shell completion script (bash, zsh)",
        (y) =>
          y
            .example("$0 completion >> ~/.bashrc", "Complete jsplan's commands and flags in bash")
            .example("$0 completion >> ~/.zshrc", "The same in zsh")
            .epilog("Open a new shell afterwards, or source the file."),
        () => {
          // yargs takes the script and command names here; its type definitions omit them.
          (parser as unknown as { showCompletionScript($0: string, cmd: string): void }).showCompletionScript(
            "jsplan",
            "completion",
          );
        },
      )
      .completion("__completion", false)
      .demandCommand(1, "Give a command: validate, plan, apply or export.")
      .recommendCommands() as unknown as Argv<GlobalArgs>
  );
}
