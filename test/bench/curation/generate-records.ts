// Bench input: `count` logged calls made by repeating and varying the BFCL fixtures, as the dataset-builder will get
// them from the log store (`LlmCallLoggedV1`), mapped to curation's records the way it will map them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLlmCall, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { fromLlmCallLogged, parseJsonl, ToolListInterner, type LogRecord } from '@flywheel/curation';

const FIXTURES = join(__dirname, '../../fixtures/production-logs');
export const TOOL_FILES = ['bfcl-live-simple.jsonl', 'bfcl-simple-python.jsonl', 'bfcl-multiple.jsonl'];
const FIRST_MS = Date.UTC(2026, 0, 1);

export interface GeneratedInput {
  readonly records: LogRecord[];
  /** Seconds spent in `fromLlmCallLogged` (input preparation, not curation). */
  readonly mapSeconds: number;
  /** Distinct tool lists the interner shared (0 without one). */
  readonly toolLists: number;
}

/**
 * Copy `i` of a fixture event: its own event and call ids, timestamp and user text (a variant suffix). About 1 % of
 * the copies repeat the user text of the copy one cycle earlier, so dedupe has work.
 */
function variant(base: readonly LlmCallLoggedV1[], i: number): LlmCallLoggedV1 {
  const v = i % 100 === 99 && i >= base.length ? i - base.length : i;
  const src = base[v % base.length] as LlmCallLoggedV1;
  const messages = src.request.messages.map((m) =>
    m.role === 'user' && m.content !== null ? { ...m, content: `${m.content} (case ${v})` } : m,
  );
  return {
    ...src,
    event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    timestamp: FIRST_MS + i * 1000,
    request: { ...src.request, messages },
    response: {
      ...src.response,
      id: `chatcmpl-${i}`,
      choices: src.response.choices.map((c) => ({
        ...c,
        message: { ...c.message, tool_calls: c.message.tool_calls.map((call) => ({ ...call, id: `call_${i}` })) },
      })),
    },
  };
}

/**
 * `count` records in time order. With `shareToolLists` one interner serves the whole batch, as the dataset-builder
 * uses it (records offering the same tools share one list); without, every record carries its own tool list.
 */
export function generateRecords(count: number, shareToolLists: boolean): GeneratedInput {
  const base = TOOL_FILES.flatMap((f) => parseJsonl(readFileSync(join(FIXTURES, f), 'utf8'))).map((json) =>
    parseLlmCall(json),
  );
  const interner = shareToolLists ? new ToolListInterner() : undefined;
  const records: LogRecord[] = [];
  let mapMs = 0;
  for (let i = 0; i < count; i++) {
    // Its own copy of every string and object, as if read from the log store: copies of one fixture share nothing.
    const event = JSON.parse(JSON.stringify(variant(base, i))) as LlmCallLoggedV1;
    const t0 = performance.now();
    records.push(fromLlmCallLogged(event, interner));
    mapMs += performance.now() - t0;
  }
  return { records, mapSeconds: mapMs / 1000, toolLists: interner?.size ?? 0 };
}
