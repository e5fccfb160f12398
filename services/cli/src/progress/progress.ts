// Progress of long work on stderr: a cli-progress bar on a terminal, a plain line every few seconds otherwise (CI
// logs, pipes), so output stays readable in both.
import { SingleBar } from 'cli-progress';
import { type OutputStream } from '../io';

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  /** Shown next to the bar, e.g. "1,200 published, 3 skipped". */
  readonly detail: string;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(): void;
}

/** A bar on a TTY; otherwise a line at most every `intervalMs`. Returns nothing-doing progress when quiet. */
export function createProgress(
  label: string,
  stream: OutputStream,
  options: { quiet?: boolean; intervalMs?: number; clock: () => number },
): Progress {
  if (options.quiet === true) return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY === true) return barProgress(label, stream as NodeJS.WritableStream);
  return lineProgress(label, stream, options.intervalMs ?? 5000, options.clock);
}

function barProgress(label: string, stream: NodeJS.WritableStream): Progress {
  const bar = new SingleBar({
    stream,
    format: `${label} |{bar}| {percentage}% | {detail} | {duration_formatted}`,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    // A hidden cursor would stay hidden if the user stops the load with Ctrl-C.
    hideCursor: false,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update: ({ done, total, detail }) => {
      if (!started) {
        bar.start(Math.max(total, 1), done, { detail });
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(done, { detail });
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function lineProgress(label: string, stream: OutputStream, intervalMs: number, clock: () => number): Progress {
  let last = clock();
  return {
    update: ({ done, total, detail }) => {
      const now = clock();
      if (now - last < intervalMs) return;
      last = now;
      const percent = total > 0 ? ` ${Math.floor((done / total) * 100)}%` : '';
      stream.write(`${label}:${percent} ${detail}\n`);
    },
    stop: () => undefined,
  };
}
