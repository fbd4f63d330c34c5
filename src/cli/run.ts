// Argument parsing and wiring: which command runs with which options. Commands return an exit code or throw
// ExitError; nothing here exits the process.

import type { Argv } from "yargs";
import { printable } from "../render/printable.js";
import { jsplanVersion } from "../version.js";
import { applySpec } from "./args/apply.js";
import { type Args, type CommandSpec, type GlobalArgs, STDIN_ARG } from "./args/command.js";
import { exportSpec } from "./args/export.js";
import { graphSpec } from "./args/graph.js";
import { planSpec } from "./args/plan.js";
import { schemaSpec } from "./args/schema.js";
import { showSpec } from "./args/show.js";
import { validateSpec } from "./args/validate.js";
import { watchSpec } from "./args/watch.js";
import { COMPLETION_KEY, complete, completionScript, defaultShell, type Shell } from "./completion.js";
import { ExitError } from "./exit-error.js";
import { fastArgs } from "./fast-args.js";
import type { CliIO, Writer } from "./io.js";

type Handler = () => Promise<number>;

export async function run(argv: readonly string[], given: CliIO): Promise<number> {
  const io = printableIO(given);
  const args = argv.map((a) => (a === "-" ? STDIN_ARG : a));
  if (args[0] === COMPLETION_KEY) return answerCompletion(argv.slice(1), io);
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

/** The answer to the completion script: candidates for the last word, one a line. */
async function answerCompletion(words: readonly string[], io: CliIO): Promise<number> {
  const commands = [
    ...COMMANDS.map((c) => ({ name: c.command.split(" ")[0]!, describe: c.describe, builder: c.builder })),
    { name: "completion", describe: "Print a shell completion script (bash, zsh)" },
  ];
  const list = await complete(words, commands, io);
  if (list.length > 0) io.stdout.write(`${list.join("\n")}\n`);
  return 0;
}

const COMMANDS: readonly CommandSpec[] = [
  validateSpec,
  planSpec,
  showSpec,
  applySpec,
  watchSpec,
  exportSpec,
  graphSpec,
  schemaSpec,
];

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
        describe:
          "Colour the output also when it is not a terminal, e.g. a CI log (also FORCE_COLOR=1); --no-color (also NO_COLOR) turns colours off",
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
      // Our own `completion` command and script (completion.ts): yargs' built-in one takes no shell name
      // and offers `--s` for `-s`; the script's --get-yargs-completions calls are answered before parsing.
      .command(
        "completion [shell]",
        "Print a shell completion script (bash, zsh)",
        (y) =>
          y
            .positional("shell", {
              choices: ["bash", "zsh"] as const,
              describe: "The shell (default: the one $SHELL names)",
            })
            .example(
              "$0 completion bash >> ~/.bashrc",
              "Complete jsplan's commands, flags and --target in bash",
            )
            .example("$0 completion zsh >> ~/.zshrc", "The same in zsh")
            .epilog("Open a new shell afterwards, or source the file."),
        (a) => {
          setHandler(
            async () => {
              io.stdout.write(completionScript((a.shell as Shell | undefined) ?? defaultShell(io.env)));
              return 0;
            },
            "completion",
            a as unknown as Args,
          );
        },
      )
      .demandCommand(1, "Give a command: validate, plan, show, apply, watch or export.")
      .recommendCommands() as unknown as Argv<GlobalArgs>
  );
}

/** The same io, with every write made safe for a terminal (see render/printable.ts). */
function printableIO(io: CliIO): CliIO {
  const safe = (w: Writer): Writer => ({
    write: (t) => w.write(printable(t)),
    get isTTY() {
      return w.isTTY;
    },
    get columns() {
      return w.columns;
    },
  });
  return { ...io, stdout: safe(io.stdout), stderr: safe(io.stderr), prompt: (q) => io.prompt(printable(q)) };
}
