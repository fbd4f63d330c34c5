// Runs the CLI in-process with captured output, the way the entry point would, minus process.exit.

import type { CliIO } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly stdin?: string;
  readonly tty?: boolean;
  /**
   * Answers to prompts, in order. A function is called while the prompt waits (to change the server
   * meanwhile, as another client would) and answers with what it returns.
   */
  readonly answers?: Array<string | (() => Promise<string>)>;
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const answers = [...(options.answers ?? [])];
  const io: CliIO = {
    stdout: {
      write: (t) => {
        stdout += t;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stderr: {
      write: (t) => {
        stderr += t;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdinIsTTY: options.tty ?? false,
    readStdin: async () => Buffer.from(options.stdin ?? ""),
    prompt: async (q) => {
      stderr += q;
      const answer = answers.shift() ?? "";
      return typeof answer === "string" ? answer : answer();
    },
    onInterrupt: () => () => {},
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
