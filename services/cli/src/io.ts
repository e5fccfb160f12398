// Where the CLI writes and what it reads from its process: injected, so commands run in-process in tests with
// captured output and a fixed clock.

export interface OutputStream {
  write(chunk: string): unknown;
  /** True for a terminal: then long work shows a progress bar. */
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Wall clock, epoch milliseconds. */
  readonly now: () => number;
  /** Monotonic clock in milliseconds, for durations. */
  readonly clock: () => number;
}
