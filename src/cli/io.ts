// The outside world as the CLI sees it. Tests pass their own; the entry point passes the process's.

export interface Writer {
  write(text: string): void;
  /** True when the stream is a terminal (colours, progress bars, prompts). */
  readonly isTTY: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

export interface CliIO {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdinIsTTY: boolean;
  readStdin(maxBytes: number): Promise<Buffer>;
  /** Asks a question on the terminal: the answer (without the newline), or null when cancelled (Ctrl-C, Ctrl-D). */
  prompt(question: string): Promise<string | null>;
  /**
   * Registers a handler for Ctrl-C, SIGTERM and SIGHUP (without SIGHUP when `hangup` is false); returns a
   * function that removes it.
   */
  onInterrupt(handler: () => void, options?: { readonly hangup?: boolean }): () => void;
  /** Registers a handler for SIGHUP (jsplan watch: reload the manifest); returns a function that removes it. */
  onHangup?(handler: () => void): () => void;
}
