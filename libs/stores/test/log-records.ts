// Log records for the contract suites: the catalogue's sample call with the fields a case varies.
import { testing, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type LogRecordInput } from '../src';

const base = testing.sampleEvents[Topics.llmCallLoggedV1];

export const T0 = Date.UTC(2025, 0, 1);

export function logRecord(
  n: number,
  overrides: Partial<Omit<LlmCallLoggedV1, '__event'>> & Record<string, unknown> = {},
): LlmCallLoggedV1 {
  return {
    ...base,
    event_id: `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    log_id: `log-${n}`,
    timestamp: T0 + n * 1000,
    ...overrides,
  };
}

export function input(n: number, overrides: Parameters<typeof logRecord>[1] = {}, source = 'test'): LogRecordInput {
  const record = logRecord(n, overrides);
  return { id: record.log_id ?? record.event_id, record, source };
}

/** A record whose user message is `text` (bodies are what get large). */
export function withUserText(n: number, text: string, overrides: Parameters<typeof logRecord>[1] = {}): LogRecordInput {
  return input(n, {
    ...overrides,
    request: {
      ...base.request,
      messages: [{ role: 'user', content: text, name: null, tool_call_id: null, tool_calls: [] }],
    },
  });
}
