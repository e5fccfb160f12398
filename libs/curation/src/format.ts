// Dataset line shapes (inventory §2.7), blueprint-compatible for NeMo Evaluator and Customizer. Every function
// builds new objects along the path it changes and shares the rest, so input records are never written to (the
// blueprint blanked response contents in place and its ICL examples then showed empty replies, bug §10.13).
import {
  isList,
  isObject,
  type ChatMessage,
  type CuratedRecord,
  type LogRecord,
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

/** The call with string arguments parsed (validation proved they parse to an object); a copy of that path. */
function withParsedArguments(call: ToolCall): ToolCall {
  const args = call.function.arguments;
  if (typeof args !== 'string') return call;
  return { ...call, function: { ...call.function, arguments: JSON.parse(args) as Record<string, unknown> } };
}

/** The training reply: for tool-calling its content is `""` (the calls are the answer), arguments parsed. */
function trainingReply(first: ChatMessage, workload: WorkloadType, parseArguments: boolean): ChatMessage {
  switch (workload) {
    case 'tool_calling': {
      const calls = first.tool_calls;
      // One copy of the reply; keys keep their order (content is appended only when the reply had none).
      return parseArguments && isList(calls)
        ? { ...first, tool_calls: calls.map(withParsedArguments), content: '' }
        : { ...first, content: '' };
    }
    case 'generic':
      return withStringContent(first);
  }
}

/**
 * A training/validation line: `{messages: request.messages + response.choices[0].message, tools?}`. For tool-calling
 * the reply's content is `""` and `tools` is required; generic lines never carry tools.
 */
export function toTrainingLine(record: LogRecord, workload: WorkloadType, parseArguments = false): TrainingLine {
  const tools = record.request.tools;
  const toolCalling = workload === 'tool_calling';
  if (toolCalling && (!isList(tools) || tools.length === 0)) return { rule: 'missing_tools' };
  const messages = requestMessages(record.request.messages);
  const first = record.response.choices[0]?.message;
  // Serialised in one call, `{"messages":[…]}`; for tool-calling the closing brace gives way to the shared
  // `,"tools":[…]}` tail. Of the ways tried to build 100k lines, this one keeps the least memory per line.
  const json = JSON.stringify({
    messages: first ? [...messages, trainingReply(first, workload, parseArguments)] : messages,
  });
  return { line: toolCalling && isList(tools) ? json.slice(0, -1) + toolsTail(tools) : json };
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
    const t = toTrainingLine(r.record, workload, r.parseArguments);
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
