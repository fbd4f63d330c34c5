// Argument parsing and wiring: which command runs with which options. Commands return an exit code or throw
// ExitError; nothing here exits the process.

import yargs, { type Argv } from "yargs";
import { DEFAULT_APPLY_CONCURRENCY } from "../apply/defaults.js";
import { styleFor } from "../render/style.js";
import { jsplanVersion } from "../version.js";
import { CONNECTION_OPTIONS, type ConnectionFlags } from "./connection-args.js";

import { ExitError } from "./exit-error.js";
import type { CliIO } from "./io.js";

interface GlobalArgs {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

type Handler = () => Promise<number>;

/** yargs drops a lone `-`, which means standard input; it travels through the parser under this name. */
const STDIN_ARG = "\u0000stdin";

export function pathsArg(paths: readonly string[] | undefined): string[] {
  return (paths ?? []).map((p) => (p === STDIN_ARG ? "-" : p));
}

export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let handler: Handler | undefined;
  const args = argv.map((a) => (a === "-" ? STDIN_ARG : a));
  const parser = buildParser(args, io, (h) => {
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

function buildParser(argv: string[], io: CliIO, setHandler: (h: Handler) => void): Argv<GlobalArgs> {
  const style = (args: GlobalArgs, stream: "stdout" | "stderr" = "stderr") =>
    styleFor(io[stream].isTTY, io.env, !args.color);

  const parser: Argv<GlobalArgs> = yargs(argv)
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
    })
    .command(
      "validate [paths..]",
      "Check manifests against the schema and the semantic rules, without a server",
      (y) =>
        y
          .option("format", {
            choices: ["text", "json"] as const,
            default: "text" as const,
            describe: "Output format",
          })
          .positional("paths", {
            type: "string",
            array: true,
            default: [] as string[],
            describe: "Files, directories of *.yaml/*.yml, or - for stdin (default: jsplan.yaml)",
          })
          .example("$0 validate", "Validate jsplan.yaml in the current folder")
          .example("$0 validate manifests/ --format json", "Validate a folder, machine-readable"),
      (args) => {
        setHandler(async () =>
          (await import("./commands/validate.js")).validateCommand(
            { paths: pathsArg(args.paths as string[]), format: args.format, quiet: args.quiet },
            io,
            style(args),
          ),
        );
      },
    )
    .command(
      "plan [paths..]",
      "Show what apply would change on the server, without changing anything",
      (y) =>
        y
          .positional("paths", {
            type: "string",
            array: true,
            default: [] as string[],
            describe: "Manifest files or directories (default: jsplan.yaml)",
          })
          .options({
            format: {
              choices: ["text", "json", "markdown"] as const,
              default: "text" as const,
              describe: "Output format",
            },
            out: { type: "string", describe: "Save the plan as JSON for `jsplan apply --plan FILE`" },
            "detailed-exitcode": {
              type: "boolean",
              default: false,
              describe: "Exit 0 when there are no changes, 2 when there are, 1 on errors",
            },
            target: {
              type: "string",
              array: true,
              default: [] as string[],
              describe:
                "Plan only this resource (stream.NAME, consumer.STREAM.NAME, kv.BUCKET, objectstore.BUCKET) and what it needs; repeatable",
            },
            ...CONNECTION_OPTIONS,
          })
          .example("$0 plan", "Plan jsplan.yaml against NATS_URL or the selected natscli context")
          .example(
            "$0 plan manifests/ --detailed-exitcode",
            "In CI: exit 2 when the server has drifted from the manifests",
          )
          .example("$0 plan --format markdown > plan.md", "A pull-request comment"),
      (args) => {
        setHandler(async () =>
          (await import("./commands/plan.js")).planCommand(
            {
              paths: pathsArg(args.paths as string[]),
              targets: args.target as string[],
              connection: args as unknown as ConnectionFlags,
              verbose: args.verbose,
              format: args.format,
              ...(args.out ? { out: args.out } : {}),
              detailedExitcode: args["detailed-exitcode"],
              quiet: args.quiet,
            },
            io,
            style(args, "stdout"),
          ),
        );
      },
    )
    .command(
      "apply [paths..]",
      "Carry out the plan: create, update, replace and delete, with a result for every step",
      (y) =>
        y
          .positional("paths", {
            type: "string",
            array: true,
            default: [] as string[],
            describe: "Manifest files or directories (default: jsplan.yaml)",
          })
          .options({
            plan: {
              type: "string",
              describe: "Apply a plan saved with `jsplan plan --out FILE` (no prompt; refused when stale)",
            },
            "auto-approve": {
              type: "boolean",
              default: false,
              describe: "Apply without asking (required when not on a terminal)",
            },
            "allow-destroy": {
              type: "boolean",
              default: false,
              describe: "Allow deletes and replaces (they lose messages or delivery state)",
            },
            concurrency: {
              type: "number",
              default: DEFAULT_APPLY_CONCURRENCY,
              describe: "Independent steps in flight at once",
            },
            format: {
              choices: ["text", "json"] as const,
              default: "text" as const,
              describe: "Output format",
            },
            target: {
              type: "string",
              array: true,
              default: [] as string[],
              describe:
                "Apply only this resource (stream.NAME, consumer.STREAM.NAME, kv.BUCKET, objectstore.BUCKET) and what it needs; repeatable",
            },
            ...CONNECTION_OPTIONS,
          })
          .check((a) => {
            if (!Number.isInteger(a.concurrency) || a.concurrency < 1)
              throw new Error("--concurrency must be a whole number of at least 1");
            if (a.plan && ((a.paths as string[]).length > 0 || (a.target as string[]).length > 0)) {
              throw new Error(
                "--plan applies a saved plan as it is: give no manifest paths and no --target with it",
              );
            }
            return true;
          })
          .example("$0 apply", "Show the plan for jsplan.yaml, ask, then apply it")
          .example("$0 apply --auto-approve", "In a deployment pipeline")
          .example("$0 plan --out plan.json && $0 apply --plan plan.json", "Apply exactly the reviewed plan"),
      (args) => {
        setHandler(async () =>
          (await import("./commands/apply.js")).applyCommand(
            {
              paths: pathsArg(args.paths as string[]),
              targets: args.target as string[],
              connection: args as unknown as ConnectionFlags,
              verbose: args.verbose,
              ...(args.plan ? { planFile: args.plan } : {}),
              autoApprove: args["auto-approve"],
              allowDestroy: args["allow-destroy"],
              concurrency: args.concurrency,
              format: args.format,
              quiet: args.quiet,
            },
            io,
            style(args, "stdout"),
          ),
        );
      },
    )
    .command(
      "export",
      "Write a manifest of what the server holds, so that an existing setup can be adopted",
      (y) =>
        y
          .options({
            stream: {
              type: "string",
              array: true,
              default: [] as string[],
              describe: "Export only this stream or bucket; repeatable",
            },
            owner: {
              type: "string",
              describe: "The manifest's owner: the first apply stamps it on everything exported (adoption)",
            },
            out: { type: "string", describe: "Write the manifest to this file instead of standard output" },
            ...CONNECTION_OPTIONS,
          })
          .example("$0 export > jsplan.yaml", "Adopt a server: export, review, commit")
          .example(
            "$0 export --stream ORDERS --owner orders-platform --out orders.yaml",
            "One stream, owned by a team",
          ),
      (args) => {
        setHandler(async () =>
          (await import("./commands/export.js")).exportCommand(
            {
              streams: args.stream as string[],
              ...(args.owner !== undefined ? { owner: args.owner } : {}),
              ...(args.out ? { out: args.out } : {}),
              quiet: args.quiet,
              connection: args as unknown as ConnectionFlags,
            },
            io,
            style(args),
          ),
        );
      },
    )
    .command(
      "schema",
      "Print the JSON Schema of manifests (or of plan JSON), for editors and other tools",
      (y) =>
        y
          .option("plan", {
            type: "boolean",
            default: false,
            describe: "Print the schema of `plan --format json` instead",
          })
          .example("$0 schema > manifest.schema.json", "For an editor or a CI linter")
          .example("$0 schema --plan", "The plan JSON format"),
      (args) => {
        setHandler(async () => {
          const { readFile } = await import("node:fs/promises");
          const file = new URL(
            `../../../schemas/${args.plan ? "plan" : "manifest"}.schema.json`,
            import.meta.url,
          );
          io.stdout.write(await readFile(file, "utf8"));
          return 0;
        });
      },
    )
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
    .recommendCommands() as unknown as Argv<GlobalArgs>;
  return parser;
}
