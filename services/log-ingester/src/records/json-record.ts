// One JSON log record (an HTTP line, a value of the JSON topic) from bytes to the validated input shape, or a clear
// reason why not. The checks run cheapest first: size, UTF-8, JSON, object, then the zod schema of the contracts.
import { llmCallInputSchema, type LlmCallInput } from '@flywheel/contracts';
import { firstInvalidUtf8 } from './utf8';
import { describeIssues } from './zod-issues';

/** Why a record was refused; the kinds map onto the bus's dead-letter reasons (`decode:<kind>`). */
export type RejectionKind = 'too-large' | 'corrupt' | 'invalid-payload';

export interface Rejection {
  readonly kind: RejectionKind;
  readonly reason: string;
}

export type JsonRecordResult =
  { readonly ok: true; readonly input: LlmCallInput } | ({ readonly ok: false } & Rejection);

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseJsonRecord(bytes: Uint8Array, maxBytes: number): JsonRecordResult {
  if (bytes.length > maxBytes) {
    return reject('too-large', `record is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) return reject('corrupt', `not valid UTF-8: bad byte sequence at byte offset ${bad}`);
  let doc: unknown;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    return reject('corrupt', `not JSON: ${jsonErrorText(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    const got = doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`;
    return reject('invalid-payload', `not a JSON object: got ${got}; a log record is one object`);
  }
  const parsed = llmCallInputSchema.safeParse(doc);
  if (!parsed.success)
    return reject('invalid-payload', `not a valid log record: ${describeIssues(parsed.error.issues)}`);
  return { ok: true, input: parsed.data };
}

function reject(kind: RejectionKind, reason: string): JsonRecordResult {
  return { ok: false, kind, reason };
}

/** V8 quotes the start of the input in its message ('"not json" is not valid JSON'): keep only the position. */
function jsonErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/,? ".*" is not valid JSON$/s, '').trim();
}
