// The entry point: the only place that touches process.exit.

// Everything a command may need but `jsplan --version` does not is imported when used: start-up counts.
import type { CliIO, Writer } from "./io.js";
import { run } from "./run.js";

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
  async prompt(question: string): Promise<string> {
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  onInterrupt(handler: () => void): () => void {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

const code = await run(process.argv.slice(2), io);
// Let stdout and stderr flush before exiting, so piped output is never cut short (a slow reader leaves
// writes queued): the callback of an empty write runs once everything written before it went out.
const drain = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(code);
