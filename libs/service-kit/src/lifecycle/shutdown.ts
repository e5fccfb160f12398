// SIGTERM/SIGINT → Nest's shutdown hooks (services flush and commit there), bounded by a deadline: a hook that hangs
// must not keep a pod in Terminating forever. A second signal exits at once.

export interface Closable {
  close(): Promise<void>;
}

export interface ShutdownOptions {
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  /** process.exit, replaceable in tests. */
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

/** Installs the handlers; returns a function that removes them. */
export function installShutdownHandlers(app: Closable, options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      options.log(`${signal} again: exiting without waiting`);
      exit(1);
      return;
    }
    closing = true;
    options.log(`${signal}: shutting down (at most ${options.timeoutMs} ms)`);
    const deadline = setTimeout(() => {
      options.log(`shutdown did not finish within ${options.timeoutMs} ms: exiting`);
      exit(1);
    }, options.timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        options.log('stopped');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        options.log(`shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        exit(1);
      },
    );
  };
  const listeners = signals.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, listener] of listeners) process.on(s, listener);
  return () => {
    for (const [s, listener] of listeners) process.off(s, listener);
  };
}
