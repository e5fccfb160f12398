// Entry point of the `flywheel` CLI (`npm run flywheel -- <args>`).
import { performance } from 'node:perf_hooks';
import { runCli } from './cli';
import { openBusLogSink } from './logs/bus-log-sink';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

void runCli(process.argv.slice(2), {
  io: { stdout: process.stdout, stderr: process.stderr, now: () => Date.now(), clock: () => performance.now() },
  env: process.env,
  openLogSink: openBusLogSink,
  // `up` and `demo` stop their children on Ctrl-C (and on SIGTERM/SIGHUP) instead of dying and leaving them behind.
  onInterrupt: (handler) => {
    for (const s of SIGNALS) process.on(s, handler);
    return () => {
      for (const s of SIGNALS) process.off(s, handler);
    };
  },
}).then((code) => {
  process.exitCode = code;
  // A client still reconnecting in the background must not keep the process alive once the answer is out.
  setTimeout(() => process.exit(code), 2000).unref();
});
