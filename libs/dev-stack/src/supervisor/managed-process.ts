// One child process under supervision: its output split into lines and handed to a sink with the process's name,
// the last lines kept for error messages, and a stop that asks first (SIGTERM) and insists after a deadline (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { type Readable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr' | 'supervisor';

export interface LogLine {
  /** The process the line came from (`log-ingester`, `platform-simulator`, …) or `supervisor`. */
  readonly source: string;
  readonly stream: LogStream;
  readonly text: string;
}

export type LogSink = (line: LogLine) => void;

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The child's whole environment: nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `killed by ${info.signal}` : `exited with code ${String(info.code)}`;
}

const TAIL_LINES = 200;

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> | undefined;
  private lastExit: ExitInfo | undefined;
  private readonly tail: string[] = [];
  private readonly exitListeners: ((info: ExitInfo) => void)[] = [];

  public constructor(
    private readonly spec: ProcessSpec,
    private readonly sink: LogSink,
  ) {}

  public get name(): string {
    return this.spec.name;
  }

  public get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  public get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** How the last run ended; undefined while running or before the first start. */
  public get exit(): ExitInfo | undefined {
    return this.lastExit;
  }

  /** Called on every exit, expected or not. */
  public onExit(listener: (info: ExitInfo) => void): void {
    this.exitListeners.push(listener);
  }

  public start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${String(this.child?.pid)})`);
    this.lastExit = undefined;
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches the supervisor only, which stops the children in order.
      detached: true,
    });
    this.child = child;
    const flushers = [this.pipeLines(child.stdout, 'stdout'), this.pipeLines(child.stderr, 'stderr')];
    this.exited = new Promise<ExitInfo>((resolve) => {
      let settled = false;
      const settle = (info: ExitInfo): void => {
        if (settled) return;
        settled = true;
        for (const flush of flushers) flush();
        this.lastExit = info;
        resolve(info);
        for (const listener of this.exitListeners) listener(info);
      };
      // 'close' waits for the output to drain; 'error' covers a spawn that never started.
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (err) => {
        this.note(`could not start: ${err.message}`);
        settle({ code: null, signal: null });
      });
    });
  }

  /** Resolves when the current run ends (at once when not running). */
  public waitExit(): Promise<ExitInfo> {
    return this.exited ?? Promise.resolve({ code: null, signal: null });
  }

  public signal(signal: NodeJS.Signals): boolean {
    if (!this.running || this.child === undefined) return false;
    return this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL when the process is still there after `timeoutMs`. */
  public async stop(timeoutMs: number): Promise<ExitInfo | undefined> {
    if (!this.running) return this.lastExit;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const first = await Promise.race([this.waitExit(), deadline]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    this.note(`did not stop within ${timeoutMs} ms of SIGTERM: sending SIGKILL`);
    this.signal('SIGKILL');
    return this.waitExit();
  }

  /** The last `n` lines the process printed (both streams, in order). */
  public lastLines(n = 20): string[] {
    return this.tail.slice(-n);
  }

  /** A supervisor line about this process, attributed to it. */
  public note(text: string): void {
    this.sink({ source: this.name, stream: 'supervisor', text });
  }

  private pipeLines(stream: Readable | null, kind: LogStream): () => void {
    let pending = '';
    const emit = (line: string): void => {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      this.tail.push(text);
      if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
      this.sink({ source: this.name, stream: kind, text });
    };
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        emit(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    });
    return () => {
      if (pending.length > 0) emit(pending);
      pending = '';
    };
  }
}
