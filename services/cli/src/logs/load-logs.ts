// `logs load` without the terminal: stream the file, convert each line, publish in batches through a LogSink, and
// count. Batches are bounded by records and by bytes (brokers refuse record batches over about 1 MB).
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { convertLine, type LineDefaults } from './convert-line';
import { readLines } from './read-lines';

export interface LogSink {
  /** Publishes the records; resolves once the broker has acknowledged all of them. */
  publish(records: readonly LlmCallLoggedV1[]): Promise<void>;
}

export interface LoadProgress {
  readonly bytesRead: number;
  readonly published: number;
  readonly skipped: number;
}

export interface LoadOptions extends LineDefaults {
  readonly file: string;
  readonly maxLineBytes: number;
  readonly batchRecords: number;
  readonly batchBytes: number;
  /** Monotonic clock in milliseconds, for the duration. */
  readonly clock: () => number;
  readonly onInvalid?: (lineNumber: number, reason: string) => void;
  readonly onProgress?: (progress: LoadProgress) => void;
}

export interface LoadSummary {
  readonly lines: number;
  readonly published: number;
  /** Invalid lines (reported through onInvalid), not published. */
  readonly skipped: number;
  /** Empty lines, ignored. */
  readonly blank: number;
  /** Published records per "workload_id/client_id". */
  readonly perWorkload: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

/** Raised when publishing fails part way; `published` records were acknowledged before it. */
export class LoadInterruptedError extends Error {
  public constructor(
    message: string,
    public readonly published: number,
    public readonly skipped: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LoadInterruptedError';
  }
}

export async function loadLogs(sink: LogSink, options: LoadOptions): Promise<LoadSummary> {
  const started = options.clock();
  let bytesRead = 0;
  let lines = 0;
  let published = 0;
  let skipped = 0;
  let blank = 0;
  const perWorkload: Record<string, number> = {};
  let batch: LlmCallLoggedV1[] = [];
  let batchBytes = 0;
  const progress = (): void => options.onProgress?.({ bytesRead, published, skipped });

  // One batch in flight while the next is read and converted: the producer sends one request at a time anyway
  // (idempotent, in order), so this only overlaps parsing with the broker's round trip.
  let inFlight: Promise<void> | undefined;
  const settle = async (): Promise<void> => {
    const pending = inFlight;
    inFlight = undefined;
    await pending;
  };
  const send = async (records: LlmCallLoggedV1[]): Promise<void> => {
    try {
      await sink.publish(records);
    } catch (err) {
      throw new LoadInterruptedError(err instanceof Error ? err.message : String(err), published, skipped, {
        cause: err,
      });
    }
    published += records.length;
    for (const r of records) {
      const key = `${r.workload_id}/${r.client_id}`;
      perWorkload[key] = (perWorkload[key] ?? 0) + 1;
    }
    progress();
  };
  const flush = async (): Promise<void> => {
    await settle();
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    batchBytes = 0;
    inFlight = send(records);
    // Observed here so a failure is never an unhandled rejection; it is rethrown by the next settle().
    inFlight.catch(() => undefined);
  };

  const lineStream = readLines(options.file, {
    maxLineBytes: options.maxLineBytes,
    onBytes: (n) => {
      bytesRead = n;
    },
  });
  for await (const line of lineStream) {
    lines = line.lineNumber;
    if ('error' in line) {
      skipped++;
      options.onInvalid?.(line.lineNumber, line.error);
      continue;
    }
    const result = convertLine(line.text, line.lineNumber, options);
    if (result.kind === 'blank') {
      blank++;
    } else if (result.kind === 'invalid') {
      skipped++;
      options.onInvalid?.(line.lineNumber, result.reason);
    } else {
      batch.push(result.record);
      batchBytes += line.bytes;
      if (batch.length >= options.batchRecords || batchBytes >= options.batchBytes) await flush();
    }
  }
  await flush();
  await settle();
  progress();
  const seconds = (options.clock() - started) / 1000;
  return {
    lines,
    published,
    skipped,
    blank,
    perWorkload,
    seconds,
    recordsPerSecond: seconds > 0 ? published / seconds : published,
  };
}
