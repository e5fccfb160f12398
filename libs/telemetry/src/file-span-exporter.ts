// Spans as JSON lines in a directory, one file per process (`<service>-<pid>.jsonl`, so concurrent writers never
// interleave), for the embedded profile: `flywheel trace RUN_ID` rebuilds a run's trace from them without a
// collector. Each batch the SDK hands over is appended synchronously, so what was exported survives a SIGKILL.
// Bounded: past `maxBytes` the file becomes `<stem>.old.jsonl` (replacing the previous one) and a new one starts, so a
// long `flywheel up` keeps at most twice that per process.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { toSpanRecord } from './span-record';

export const SPAN_FILE_SUFFIX = '.jsonl';
export const DEFAULT_SPAN_FILE_MAX_BYTES = 64 * 1024 * 1024;

export class FileSpanExporter implements SpanExporter {
  public readonly path: string;
  private readonly previous: string;
  private bytes: number;
  private stopped = false;

  public constructor(
    dir: string,
    fileStem: string,
    private readonly maxBytes = DEFAULT_SPAN_FILE_MAX_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    const stem = fileStem.replace(/[^\w.-]/g, '_');
    this.path = join(dir, `${stem}${SPAN_FILE_SUFFIX}`);
    this.previous = join(dir, `${stem}.old${SPAN_FILE_SUFFIX}`);
    this.bytes = sizeOf(this.path);
  }

  public export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) {
      done({ code: ExportResultCode.FAILED, error: new Error('the file span exporter is shut down') });
      return;
    }
    try {
      const text = spans.map((s) => `${JSON.stringify(toSpanRecord(s))}\n`).join('');
      const size = Buffer.byteLength(text);
      if (this.bytes > 0 && this.bytes + size > this.maxBytes) {
        renameSync(this.path, this.previous);
        this.bytes = 0;
      }
      appendFileSync(this.path, text);
      this.bytes += size;
      done({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  public shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  public forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
