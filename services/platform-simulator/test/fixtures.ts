// Sample production logs and model names shared by the simulator's integration tests.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const LOGS = resolve(__dirname, '../../../test/fixtures/production-logs');

export const SMALL_MODEL = 'meta/llama-3.2-1b-instruct';
export const TEACHER_MODEL = 'meta/llama-3.3-70b-instruct';
export const EMBEDDING_MODEL = 'nvidia/llama-3.2-nv-embedqa-1b-v2';

/** Lines `[from, to)` of a sample log file, as JSONL text. */
export function logLines(file: string, from: number, to: number): string {
  return readFileSync(resolve(LOGS, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(from, to)
    .join('\n');
}

export const NO_RETRY_DELAY = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };
export const FAST_WAIT = { pollIntervalMs: 5, timeoutMs: 10_000, stallTimeoutMs: 10_000 };
