// One line of a JSONL file → the production-log event, or the reason it is not one. Two shapes are accepted, as by
// the blueprint's load_test_data.py: a full log record `{timestamp, workload_id, client_id, request, response}`, and
// a bare conversation `{messages, tools?}` whose last message is the assistant's answer (request = every message
// but the last, response = the last one as choice 0). `--workload-id`/`--client-id` override the record's ids or
// fill them in. A line without its own `log_id` gets one derived from workload, client, line number and content, and
// the event id is derived the same way, so loading the same file twice publishes the same ids and the log store
// (idempotent by id) does not double.
import { createHash } from 'node:crypto';
import { ZodError } from 'zod';
import { catalogue, parseLlmCall, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';

export interface LineDefaults {
  /** Overrides (or fills) the workload id of every line. */
  readonly workloadId?: string;
  /** Overrides (or fills) the client id of every line. */
  readonly clientId?: string;
  /** Model named in the request of a bare `{messages}` line (the blueprint writes "not-a-model"). */
  readonly model: string;
  /** Load time, epoch milliseconds: the timestamp of a bare line without one. */
  readonly now: number;
}

export type LineResult =
  | { readonly kind: 'record'; readonly record: LlmCallLoggedV1 }
  | { readonly kind: 'blank' }
  | { readonly kind: 'invalid'; readonly reason: string };

// The blueprint's loader values for a bare conversation.
const BARE_TEMPERATURE = 0.7;
const BARE_MAX_TOKENS = 1000;
const MAX_ISSUES = 5;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim().length > 0 ? v : undefined;
}

/** A UUID (version 8, "custom") made of the digest's bytes: stable for the same input. */
function uuidFrom(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function describeZodError(err: ZodError): string {
  const issues = err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(record)'}: ${i.message}`);
  const shown = issues.slice(0, MAX_ISSUES).join('; ');
  return issues.length > MAX_ISSUES ? `${shown}; and ${issues.length - MAX_ISSUES} more` : shown;
}

function bareToRecord(line: Json, workloadId: string, clientId: string, defaults: LineDefaults, id: string): Json {
  const messages = line.messages as unknown[];
  const answer = messages[messages.length - 1];
  const toolCalls = isObject(answer) ? answer.tool_calls : undefined;
  const timestamp = line.timestamp ?? Math.floor(defaults.now / 1000);
  return {
    log_id: line.log_id,
    workload_id: workloadId,
    client_id: clientId,
    timestamp,
    request: {
      model: defaults.model,
      messages: messages.slice(0, -1),
      tools: line.tools,
      temperature: BARE_TEMPERATURE,
      max_tokens: BARE_MAX_TOKENS,
    },
    response: {
      id: `chatcmpl-${id.slice(0, 24)}`,
      created: typeof timestamp === 'number' ? timestamp : Math.floor(defaults.now / 1000),
      model: defaults.model,
      choices: [
        {
          index: 0,
          message: answer,
          finish_reason: Array.isArray(toolCalls) && toolCalls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
    },
  };
}

export function convertLine(text: string, lineNumber: number, defaults: LineDefaults): LineResult {
  if (text.trim().length === 0) return { kind: 'blank' };
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isObject(line)) return { kind: 'invalid', reason: `expected a JSON object, got ${kindOf(line)}` };

  const full = 'request' in line || 'response' in line;
  if (!full && !('messages' in line)) {
    return {
      kind: 'invalid',
      reason:
        'expected a log record {timestamp, workload_id, client_id, request, response} or a {messages, tools?} line',
    };
  }
  const workloadId = defaults.workloadId ?? nonEmptyString(line.workload_id);
  const clientId = defaults.clientId ?? nonEmptyString(line.client_id);
  if (!full) {
    const missing = [workloadId === undefined ? '--workload-id' : '', clientId === undefined ? '--client-id' : '']
      .filter((m) => m !== '')
      .join(' and ');
    if (missing !== '')
      return { kind: 'invalid', reason: `a {messages} line needs ${missing} (or the ids in the line)` };
    const messages = line.messages;
    if (!Array.isArray(messages) || messages.length < 2) {
      return {
        kind: 'invalid',
        reason: 'messages must be an array of at least two: the conversation and the assistant answer last',
      };
    }
    const last: unknown = messages[messages.length - 1];
    if (!isObject(last) || last.role !== 'assistant') {
      return { kind: 'invalid', reason: `the last message must be the assistant's answer (role "assistant")` };
    }
  }

  const digest = createHash('sha256')
    .update(`${workloadId ?? ''}\n${clientId ?? ''}\n${lineNumber}\n`)
    .update(text)
    .digest();
  const derivedId = digest.toString('hex');
  const logId = nonEmptyString(line.log_id) ?? `load-${derivedId.slice(0, 32)}`;
  const input = full
    ? { ...line, workload_id: workloadId ?? line.workload_id, client_id: clientId ?? line.client_id, log_id: logId }
    : { ...bareToRecord(line, workloadId ?? '', clientId ?? '', defaults, derivedId), log_id: logId };

  let record: LlmCallLoggedV1;
  try {
    record = parseLlmCall(input, { eventId: uuidFrom(digest) });
  } catch (err) {
    if (err instanceof ZodError) return { kind: 'invalid', reason: describeZodError(err) };
    throw err;
  }
  // The catalogue's own checks, so publishing never fails on a record.
  const problems = catalogue[Topics.llmCallLoggedV1].validate(record);
  if (problems.length > 0) return { kind: 'invalid', reason: problems.join('; ') };
  return { kind: 'record', record };
}
