// CLI output captured in memory, with fixed clocks: what a command printed, as text.
import { type CliIo, type OutputStream } from '../io';

export class CapturedStream implements OutputStream {
  private readonly chunks: string[] = [];

  public constructor(public readonly isTTY = false) {}

  public write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  public get text(): string {
    return this.chunks.join('');
  }
}

export function capturedIo(options: { tty?: boolean } = {}): CliIo & {
  stdout: CapturedStream;
  stderr: CapturedStream;
} {
  let clock = 0;
  return {
    stdout: new CapturedStream(options.tty ?? false),
    stderr: new CapturedStream(options.tty ?? false),
    now: () => Date.UTC(2026, 0, 1),
    clock: () => (clock += 100),
  };
}
