// Dataset line shapes (inventory §2.7), blueprint-compatible for NeMo Evaluator and Customizer. Every function
// builds new objects along the path it changes and shares the rest, so input records are never written to (the
// blueprint blanked response contents in place and its ICL examples then showed empty replies, bug §10.13).
import { pushCompacted } from './arguments-text';
import { keyText, pushJson } from './json-parts';
import {
  isList,
  isObject,
  type ChatMessage,
  type CuratedRecord,
  type LogRecord,
  type ReplyArguments,
  type ToolCall,
  type WorkloadType,
} from './types';

/** Tool-call arguments inside request messages as JSON strings (the evaluator's expectation); copy-on-write. */
export function stringifyRequestArguments(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  let out: ChatMessage[] | null = null;
  messages.forEach((m, i) => {
    const calls = m.tool_calls;
    if (
      !Array.isArray(calls) ||
      !calls.some((c) => isObject(c) && isObject(c.function) && isObject(c.function.arguments))
    ) {
      return;
    }
    const next: ToolCall[] = (calls as readonly ToolCall[]).map((c) =>
      isObject(c) && isObject(c.function) && isObject(c.function.arguments)
        ? { ...c, function: { ...c.function, arguments: JSON.stringify(c.function.arguments) } }
        : c,
    );
    out ??= messages.slice();
    out[i] = { ...m, tool_calls: next };
  });
  return out ?? messages;
}

/** An eval line: the full log record, request-side arguments stringified, response arguments left parsed. */
export function toEvalRecord(record: LogRecord): Record<string, unknown> {
  const messages = stringifyRequestArguments(record.request.messages);
  return {
    request: messages === record.request.messages ? record.request : { ...record.request, messages },
    response: record.response,
    workload_id: record.workload_id,
    client_id: record.client_id,
    timestamp: record.timestamp,
  };
}

export const TRAIN_DROP_RULES = ['missing_tools'] as const;
export type TrainDropRule = (typeof TRAIN_DROP_RULES)[number];

export type TrainingLine = { readonly line: string } | { readonly rule: TrainDropRule };

// A workload sends the same tool list with every call, and the dataset-builder shares one array between those
// records (`ToolListInterner`), so the tail of a line that carries it is built once. Keyed weakly on the array, so
// this never holds records alive.
const toolsTailCache = new WeakMap<object, string>();

function toolsTail(tools: readonly unknown[]): string {
  let tail = toolsTailCache.get(tools);
  if (tail === undefined) {
    tail = `,"tools":${JSON.stringify(tools)}}`;
    toolsTailCache.set(tools, tail);
  }
  return tail;
}

/** Customizer rejects null assistant content, so assistant messages carry `""` instead (copied, not mutated). */
function withStringContent(m: ChatMessage): ChatMessage {
  return m.role === 'assistant' && (m.content === null || m.content === undefined) ? { ...m, content: '' } : m;
}

/** Request messages with string assistant content; the same array when nothing needs changing (the usual case). */
function requestMessages(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  for (const m of messages) {
    if (m.role === 'assistant' && (m.content === null || m.content === undefined))
      return messages.map(withStringContent);
  }
  return messages;
}

// Tool-calling replies are written piece by piece instead of being copied and handed to JSON.stringify: the
// copy would need every string argument parsed again (validation already did, and kept the result as text), and
// those parses were a fifth of the format stage. The pieces reproduce exactly what JSON.stringify gives for
// `{...first, tool_calls: <arguments parsed>, content: ''}`: the same key order (Object.keys, which is the order
// spread and JSON.stringify use), keys whose value serialises to undefined left out, `content` appended last when
// the reply had none.

/** Appends `sep"key":value` unless the value serialises to nothing (undefined, a function); true if appended. */
function pushEntry(parts: string[], sep: string, key: string, value: unknown): boolean {
  const at = parts.length;
  parts.push(sep, keyText(key));
  if (pushJson(parts, value)) return true;
  parts.length = at;
  return false;
}

/**
 * Appends `{...fn, arguments: <parsed>}`: `argumentsJson` is the JSON text of the parsed arguments, or null when it
 * is the plain text `args` compacted.
 */
function pushFunction(
  parts: string[],
  fn: Readonly<Record<string, unknown>>,
  argumentsJson: string | null,
  args: string,
): void {
  let sep = '{';
  for (const key of Object.keys(fn)) {
    if (key === 'arguments') {
      parts.push(sep, '"arguments":');
      if (argumentsJson === null) pushCompacted(parts, args);
      else parts.push(argumentsJson);
    } else if (!pushEntry(parts, sep, key, fn[key])) continue;
    sep = ',';
  }
  parts.push(sep === '{' ? '{}' : '}');
}

/** Appends the calls with string arguments parsed; `texts` is what validation's parse gave (see ReplyArguments). */
function pushCalls(parts: string[], calls: readonly ToolCall[], texts: ReplyArguments | undefined): void {
  parts.push('[');
  for (let k = 0; k < calls.length; k++) {
    if (k > 0) parts.push(',');
    const call: unknown = calls[k];
    if (!isObject(call) || !isObject(call.function) || typeof call.function.arguments !== 'string') {
      if (!pushJson(parts, call)) parts.push('null');
      continue;
    }
    const text = texts?.[k];
    const args = call.function.arguments;
    const argumentsJson = text === undefined ? JSON.stringify(JSON.parse(args) as unknown) : text;
    let sep = '{';
    for (const key of Object.keys(call)) {
      if (key === 'function') {
        parts.push(sep, '"function":');
        pushFunction(parts, call.function, argumentsJson, args);
      } else if (!pushEntry(parts, sep, key, call[key])) continue;
      sep = ',';
    }
    parts.push(sep === '{' ? '{}' : '}');
  }
  parts.push(']');
}

/** Appends the training reply of a tool-calling record: content `""` (the calls are the answer), arguments parsed. */
function pushToolCallingReply(
  parts: string[],
  first: ChatMessage,
  parseArguments: boolean,
  texts: ReplyArguments | undefined,
): void {
  const calls = first.tool_calls;
  const parseCalls = parseArguments && isList(calls);
  let sep = '{';
  let content = false;
  for (const key of Object.keys(first)) {
    if (key === 'content') {
      parts.push(sep, '"content":""');
      content = true;
    } else if (key === 'tool_calls' && parseCalls) {
      parts.push(sep, '"tool_calls":');
      pushCalls(parts, calls, texts);
    } else if (!pushEntry(parts, sep, key, first[key])) continue;
    sep = ',';
  }
  if (!content) parts.push(sep, '"content":""');
  parts.push('}');
}

/** Pieces of the line being built (reused: one array instead of one per line). */
const scratch: string[] = [];

/**
 * A training/validation line: `{messages: request.messages + response.choices[0].message, tools?}`. For tool-calling
 * the reply's content is `""` and `tools` is required; generic lines never carry tools. `replyArguments` is what
 * validation's parse of the reply's arguments gave (parsed here when absent).
 */
export function toTrainingLine(
  record: LogRecord,
  workload: WorkloadType,
  parseArguments = false,
  replyArguments?: ReplyArguments,
): TrainingLine {
  let tail = '';
  if (workload === 'tool_calling') {
    const tools = record.request.tools;
    if (!isList(tools) || tools.length === 0) return { rule: 'missing_tools' };
    tail = toolsTail(tools);
  }
  const messages = requestMessages(record.request.messages);
  const first = record.response.choices[0]?.message;
  const parts = scratch.length === 0 ? scratch : [];
  parts.push('{"messages":[');
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) parts.push(',');
    if (!pushJson(parts, messages[i])) parts.push('null');
  }
  if (first) {
    if (messages.length > 0) parts.push(',');
    if (workload === 'tool_calling') pushToolCallingReply(parts, first, parseArguments, replyArguments);
    else pushJson(parts, withStringContent(first));
  }
  parts.push(tail === '' ? ']}' : ']');
  // One flat string per line; for tool-calling the shared `,"tools":[…]}` tail (one per tool list, which a workload
  // sends with every call) is attached, not copied: of the ways tried to build 100k lines, this keeps the least
  // memory per line.
  const body = parts.join('');
  parts.length = 0;
  return { line: tail === '' ? body : body + tail };
}

/**
 * Training lines for `records`, in their order, with the refused ones counted in `dropped`. Records are read in input
 * order, the order they were allocated in: visiting them in the split's random order missed the CPU cache on
 * nearly every object and made this stage up to twice as slow.
 */
export function trainingLines(
  records: readonly CuratedRecord[],
  workload: WorkloadType,
  dropped: Record<TrainDropRule, number>,
): string[] {
  const lines = new Array<string | undefined>(records.length);
  let refused = 0;
  for (const pos of positionsInInputOrder(records)) {
    const r = records[pos] as CuratedRecord;
    const t = toTrainingLine(r.record, workload, r.parseArguments, r.replyArguments);
    if ('line' in t) {
      lines[pos] = t.line;
    } else {
      dropped[t.rule]++;
      refused++;
    }
  }
  return refused === 0 ? (lines as string[]) : lines.filter((l): l is string => l !== undefined);
}

/**
 * Positions of `records` in `inputIndex` order, ties in position order. A counting sort (input indexes are
 * positions in the curated input, small non-negative integers) over one read of the records.
 */
function positionsInInputOrder(records: readonly CuratedRecord[]): Int32Array {
  const index = Int32Array.from(records, (r) => r.inputIndex);
  const starts = new Int32Array(index.reduce((max, i) => Math.max(max, i), -1) + 2);
  for (const i of index) starts[i + 1] = (starts[i + 1] as number) + 1;
  for (let i = 1; i < starts.length; i++) starts[i] = (starts[i] as number) + (starts[i - 1] as number);
  const order = new Int32Array(records.length);
  index.forEach((i, pos) => {
    const at = starts[i] as number;
    order[at] = pos;
    starts[i] = at + 1;
  });
  return order;
}
