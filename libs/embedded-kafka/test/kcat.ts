// Runs kcat (librdkafka's command-line client) as a child process: argv only, never a shell string, with a
// hard timeout so a wedged client fails the test instead of hanging it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface KcatResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the timeout (not the caller) had to stop the process. */
  timedOut: boolean;
  durationMs: number;
}

export interface KcatOptions {
  /** Written to stdin, which is then closed (kcat -P reads records from it). */
  input?: string;
  /** SIGTERM after this long, SIGKILL 2 s later. */
  timeoutMs?: number;
}

/** The absolute path of `kcat` on PATH, or null when it is not installed. */
export function findKcat(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'kcat');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** A running kcat: read its output so far, or stop it (SIGTERM lets a group member commit and leave). */
export interface KcatProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited on its own or after the timeout. */
  readonly done: Promise<KcatResult>;
  stop(): Promise<KcatResult>;
}

export function startKcat(kcat: string, args: readonly string[], options: KcatOptions = {}): KcatProcess {
  const started = Date.now();
  const child = spawn(kcat, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const stdout = (): string => Buffer.concat(out).toString('utf8');
  const stderr = (): string => Buffer.concat(err).toString('utf8');

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 2000);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    terminate();
  }, options.timeoutMs ?? 15_000);

  const done = new Promise<KcatResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, stdout: stdout(), stderr: stderr(), timedOut, durationMs: Date.now() - started });
    };
    child.once('error', (e: Error) => {
      err.push(Buffer.from(`spawn failed: ${e.message}\n`));
      finish(null, null);
    });
    child.once('close', finish);
  });

  child.stdin.on('error', () => undefined); // kcat may exit before reading all of stdin
  if (options.input !== undefined) child.stdin.write(options.input);
  child.stdin.end();

  return {
    child,
    stdout,
    stderr,
    done,
    stop: () => {
      terminate();
      return done;
    },
  };
}

/** Runs kcat to completion (or until the timeout stops it). */
export function runKcat(kcat: string, args: readonly string[], options: KcatOptions = {}): Promise<KcatResult> {
  return startKcat(kcat, args, options).done;
}

/** A readable failure message: the command and what kcat printed. */
export function describeRun(args: readonly string[], r: KcatResult): string {
  const tail = (s: string): string => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
  return (
    `kcat ${args.join(' ')}\n` +
    `exit ${String(r.code)} signal ${String(r.signal)}${r.timedOut ? ' (timed out)' : ''} after ${r.durationMs} ms\n` +
    `stderr:\n${tail(r.stderr)}\nstdout:\n${tail(r.stdout)}`
  );
}
