// Dataset line shapes (inventory §2.7), blueprint-compatible for NeMo Evaluator and Customizer. Every function
// builds new objects along the path it changes and shares the rest, so input records are never written to (the
// blueprint blanked response contents in place and its ICL examples then showed empty replies, bug §10.13).
import { isList, isObject, type ChatMessage, type LogRecord, type ToolCall, type WorkloadType } from './types';

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

// Workloads send the same tool list with every call; when the ingest layer shares one array between records its
// JSON is built once. Keyed weakly on the array, so this never holds records alive.
const toolsJsonCache = new WeakMap<object, string>();

function toolsJson(tools: readonly unknown[]): string {
  let json = toolsJsonCache.get(tools);
  if (json === undefined) {
    json = JSON.stringify(tools);
    toolsJsonCache.set(tools, json);
  }
  return json;
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

/** The reply with string tool-call arguments parsed (validation proved they parse); only this path is copied. */
function parsedReply(reply: ChatMessage): ChatMessage {
  const calls = reply.tool_calls;
  if (!isList(calls) || !calls.some((c) => typeof c.function.arguments === 'string')) return reply;
  return {
    ...reply,
    tool_calls: calls.map((c) =>
      typeof c.function.arguments === 'string'
        ? { ...c, function: { ...c.function, arguments: JSON.parse(c.function.arguments) as Record<string, unknown> } }
        : c,
    ),
  };
}

/**
 * A training/validation line: `{messages: request.messages + response.choices[0].message, tools?}`. For tool-calling
 * the reply's content is `""` and `tools` is required; generic lines never carry tools. The JSON is assembled from
 * the serialised request messages and reply so no per-record message array is built.
 */
export function toTrainingLine(record: LogRecord, workload: WorkloadType, parseArguments = false): TrainingLine {
  const first = record.response.choices[0]?.message;
  let reply: ChatMessage | undefined;
  switch (workload) {
    case 'tool_calling':
      if (first) reply = { ...(parseArguments ? parsedReply(first) : first), content: '' };
      break;
    case 'generic':
      if (first) reply = withStringContent(first);
      break;
  }
  const request = JSON.stringify(requestMessages(record.request.messages));
  const messages = reply ? `${request.slice(0, -1)},${JSON.stringify(reply)}]` : request;
  if (workload === 'generic') return { line: `{"messages":${messages}}` };
  const tools = record.request.tools;
  if (!isList(tools) || tools.length === 0) return { rule: 'missing_tools' };
  return { line: `{"messages":${messages},"tools":${toolsJson(tools)}}` };
}
