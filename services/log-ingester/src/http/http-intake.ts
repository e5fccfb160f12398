// POST /v1/logs, the logic: one JSON record (application/json) or an NDJSON batch (application/x-ndjson). Every
// line is checked on its own; the valid ones are stored (durable before the answer), the invalid ones answered
// by line number with the reason. Status codes are documented in the service README ("HTTP semantics").
import { type IncomingMessage } from 'node:http';
import { type IngesterMetrics } from '../metrics/ingester-metrics';
import { type IngestEntry } from '../records/ingest-entry';
import { type RecordIntake } from '../records/record-intake';
import { type BatchWriter, WriterClosedError } from '../writer/batch-writer';
import { splitLines, type Line } from './ndjson';
import { readBody } from './read-body';

export interface LineError {
  readonly line: number;
  /** too-large | corrupt (not UTF-8, not JSON) | invalid-payload (not a log record) | store-rejected */
  readonly error: string;
  readonly reason: string;
}

export interface IngestReport {
  /** Non-blank lines received (1 for application/json). */
  readonly received: number;
  /** Records now durably in the store (newly, or already there from an earlier delivery). */
  readonly stored: number;
  readonly rejected: number;
  readonly errors: readonly LineError[];
  /** Errors beyond the first MAX_LISTED_ERRORS are counted here, not listed. */
  readonly errors_not_listed?: number;
}

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
}

export interface HttpOutcome {
  readonly status: number;
  readonly body: IngestReport | ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpIntakeOptions {
  readonly maxBodyBytes: number;
  /** Bytes of request bodies being read and parsed at once; beyond it requests are answered 503 (retry). */
  readonly inFlightMaxBytes: number;
}

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);
const MAX_LISTED_ERRORS = 1000;
const RETRY_AFTER_SECONDS = '5';

export class HttpIntake {
  public constructor(
    private readonly intake: RecordIntake,
    private readonly writer: BatchWriter,
    private readonly metrics: IngesterMetrics,
    private readonly options: HttpIntakeOptions,
  ) {}

  private inFlightBytes = 0;

  public async handle(req: IncomingMessage): Promise<HttpOutcome> {
    const mode = this.mode(req.headers['content-type'], req.headers['content-encoding']);
    if (typeof mode !== 'string') return mode;
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > this.options.maxBodyBytes) return this.tooLarge(declared);
    // Bodies are held while parsed: bound what concurrent requests hold (an unknown length counts as the maximum).
    const reserved = Number.isFinite(declared) ? declared : this.options.maxBodyBytes;
    if (this.inFlightBytes > 0 && this.inFlightBytes + reserved > this.options.inFlightMaxBytes) {
      return {
        status: 503,
        body: {
          error: 'busy',
          message: 'too many records in flight; retry shortly (nothing of this request was stored)',
        },
        headers: { 'Retry-After': '1', Connection: 'close' },
      };
    }
    this.inFlightBytes += reserved;
    try {
      return await this.read(req, mode);
    } finally {
      this.inFlightBytes -= reserved;
    }
  }

  private async read(req: IncomingMessage, mode: 'json' | 'ndjson'): Promise<HttpOutcome> {
    const read = await readBody(req, this.options.maxBodyBytes);
    if (!read.ok) return this.tooLarge(read.receivedBytes);
    const lines: Line[] = mode === 'ndjson' ? splitLines(read.body) : [{ number: 1, bytes: read.body }];
    if (lines.length === 0 || (mode === 'json' && read.body.toString().trim() === '')) {
      return fail(400, 'empty-body', 'the body is empty: send one JSON record, or NDJSON with one record per line');
    }
    return this.ingest(mode, lines, read.body);
  }

  private async ingest(mode: 'json' | 'ndjson', lines: Line[], body: Buffer): Promise<HttpOutcome> {
    const entries: IngestEntry[] = [];
    const lineOf: number[] = [];
    const errors: LineError[] = [];
    for (const line of lines) {
      const result = this.intake.fromHttpLine(line.bytes);
      if (result.ok) {
        entries.push(result.entry);
        lineOf.push(line.number);
      } else {
        errors.push({ line: line.number, error: result.kind, reason: hint(mode, result.reason) });
      }
    }
    if (mode === 'ndjson' && entries.length === 0 && lines.length > 1 && isOneJsonDocument(body)) {
      return fail(
        400,
        'not-ndjson',
        `the body is one JSON document spread over ${lines.length} lines, not NDJSON: put each record on one line ` +
          '(or send a single record as application/json)',
      );
    }
    let stored = entries.length;
    if (entries.length > 0) {
      try {
        const result = await this.writer.write(entries);
        for (const r of result.rejected) {
          errors.push({ line: lineOf[r.index] ?? 0, error: 'store-rejected', reason: r.error });
        }
        stored -= result.rejected.length;
      } catch (err) {
        const closing = err instanceof WriterClosedError;
        return {
          status: 503,
          body: {
            error: closing ? 'shutting-down' : 'store-unavailable',
            message: closing
              ? 'the ingester is shutting down; retry against another instance or later'
              : `the log store did not accept the records (${err instanceof Error ? err.message : String(err)}); ` +
                'retry the whole request: records already stored are recognised and not stored twice',
          },
          headers: { 'Retry-After': RETRY_AFTER_SECONDS },
        };
      }
    }
    errors.sort((a, b) => a.line - b.line);
    for (const e of errors) this.metrics.rejected.inc({ source: 'http', reason: e.error });
    const report: IngestReport = {
      received: lines.length,
      stored,
      rejected: errors.length,
      errors: errors.slice(0, MAX_LISTED_ERRORS),
      ...(errors.length > MAX_LISTED_ERRORS ? { errors_not_listed: errors.length - MAX_LISTED_ERRORS } : {}),
    };
    return { status: errors.length === 0 ? 200 : stored > 0 ? 207 : 422, body: report };
  }

  private mode(contentType: string | undefined, encoding: string | undefined): 'json' | 'ndjson' | HttpOutcome {
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return fail(
        415,
        'unsupported-encoding',
        `Content-Encoding ${encoding} is not supported; send the body uncompressed`,
      );
    }
    const accepted = 'application/json (one record) or application/x-ndjson (one record per line)';
    if (contentType === undefined)
      return fail(415, 'unsupported-media-type', `Content-Type is missing: send ${accepted}`);
    const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
    const charset = params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/"/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return fail(415, 'unsupported-charset', `charset ${charset} is not supported: records are UTF-8`);
    }
    if (type === 'application/json') return 'json';
    if (NDJSON_TYPES.has(type)) return 'ndjson';
    return fail(415, 'unsupported-media-type', `Content-Type ${type} is not supported: send ${accepted}`);
  }

  private tooLarge(bytes: number): HttpOutcome {
    return {
      status: 413,
      body: {
        error: 'payload-too-large',
        message: `the body is ${bytes} bytes or more, over the limit of ${this.options.maxBodyBytes}: split it into smaller requests`,
      },
      headers: { Connection: 'close' },
    };
  }
}

function fail(status: number, error: string, message: string): HttpOutcome {
  return { status, body: { error, message } };
}

/** An array on an NDJSON line is the usual mistake; say what to do. */
function hint(mode: 'json' | 'ndjson', reason: string): string {
  if (!reason.startsWith('not a JSON object: got an array')) return reason;
  return mode === 'ndjson'
    ? `${reason} (NDJSON takes one record per line, not an array of records)`
    : `${reason} (send several records as application/x-ndjson, one per line)`;
}

function isOneJsonDocument(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
