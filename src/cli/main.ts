// The entry point: the only place that touches process.exit.

// Everything a command may need but `jsplan --version` does not is imported when used: start-up counts.
import { jsplanVersion } from "../version.js";
import type { CliIO, Writer } from "./io.js";

const argv = process.argv.slice(2);
// `jsplan --version` alone answers without loading the argument parser (yargs and its text layout are
// most of the start-up time); anything else, `--version` included, goes through yargs as usual.
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${jsplanVersion()}\n`);
  process.exit(0);
}
// Stack traces are shown only with --verbose (for a bug report). Without it, errors carry none: the NATS
// client builds an Error for every answered request (it rejects the settled promise with a "cancelled"
// one), and capturing their stacks cost about a second of CPU in an apply of 55,000 steps.
if (!argv.includes("--verbose")) Error.stackTraceLimit = 0;
const { run } = await import("./run.js");

function writer(stream: NodeJS.WriteStream): Writer {
  return {
    write: (text: string) => {
      stream.write(text);
    },
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}

const io: CliIO = {
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  readStdin: async (maxBytes: number) => (await import("../load/sources.js")).readStdin(maxBytes),
  async prompt(question: string): Promise<string | null> {
    const { createInterface } = await import("node:readline");
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    // Ctrl-C (SIGINT on the interface) or Ctrl-D (end of input, which closes it) cancel: null.
    return new Promise<string | null>((resolve) => {
      let answered = false;
      rl.on("SIGINT", () => rl.close());
      rl.on("close", () => {
        if (!answered) process.stderr.write("\n");
        resolve(answered ? "" : null);
      });
      rl.question(question, (answer) => {
        answered = true;
        resolve(answer);
        rl.close();
      });
    });
  },
  onInterrupt(handler: () => void, options?: { readonly hangup?: boolean }): () => void {
    // The first Ctrl-C (or SIGTERM, SIGHUP: a CI runner cancelling the job, a closed terminal) asks the
    // command to stop (an apply finishes the steps in flight and reports); a second one is someone who will
    // not wait: leave at once, and say what that means.
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++interrupts === 1) return handler();
      process.stderr.write(
        "\nInterrupted again: exiting now. Steps in flight may or may not have been done; run jsplan plan to see where the server stands.\n",
      );
      process.exit(signal === "SIGINT" ? 130 : 128 + (signal === "SIGTERM" ? 15 : 1));
    };
    const signals: NodeJS.Signals[] =
      options?.hangup === false ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, onSignal);
    return () => {
      for (const s of signals) process.off(s, onSignal);
    };
  },
  onHangup(handler: () => void): () => void {
    process.on("SIGHUP", handler);
    return () => process.off("SIGHUP", handler);
  },
};

const code = await run(argv, io);
// Let stdout and stderr flush before exiting, so piped output is never cut short (a slow reader leaves
// writes queued): the callback of an empty write runs once everything written before it went out.
const drain = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(code);
