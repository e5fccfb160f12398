// The catalogue's log event (`LlmCallLoggedV1`, as the log store hands it back) as the record curation reads: the
// OpenAI chat-completion shapes the blueprint logs (inventory §2.1). The Avro schema writes absent fields as null
// or [], epoch milliseconds, and JSON texts for what it cannot model (tool parameters); the record gets its fields
// back as the application sent them, the blueprint's epoch seconds, and parsed parameters. Nothing is rejected
// here: a malformed value is passed on as it is, and validation counts it under its rule.
import {
  type ChatMessageV1,
  type ChatRequestV1,
  type ChatResponseV1,
  type LlmCallLoggedV1,
  type ToolChoiceV1,
  type ToolV1,
} from '@flywheel/contracts';
import { deepFreeze } from './deep-freeze';
import { type ChatMessage, type ChatRequest, type ChatResponse, type LogRecord, type ToolDefinition } from './types';

/**
 * Shares one parsed, frozen tool list between the records that offered the same tools (a workload sends the same
 * list with every call). Curation then checks and serialises each distinct list once instead of once a record.
 * Use one per batch of records: it holds every distinct list it has seen.
 */
export class ToolListInterner {
  private readonly lists = new Map<string, readonly ToolDefinition[]>();

  /** Distinct tool lists seen so far. */
  public get size(): number {
    return this.lists.size;
  }

  public intern(tools: readonly ToolV1[]): readonly ToolDefinition[] {
    // The Avro form is cheap to serialise (parameters are already JSON texts) and identifies the list exactly.
    const key = JSON.stringify(tools);
    let list = this.lists.get(key);
    if (list === undefined) {
      list = deepFreeze(tools.map(toToolDefinition));
      this.lists.set(key, list);
    }
    return list;
  }
}

/** Milliseconds to the blueprint's epoch seconds (fractional when the millis are not whole seconds). */
function toSeconds(ms: number): number {
  return ms / 1000;
}

/** A JSON text parsed, or left as the text when it does not parse (validation then names it). */
function parsedOrText(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

function toToolDefinition(tool: ToolV1): ToolDefinition {
  const fn = tool.function;
  const definition: Record<string, unknown> = { name: fn.name };
  if (fn.description !== null) definition.description = fn.description;
  if (fn.parameters !== null) definition.parameters = parsedOrText(fn.parameters);
  return { type: tool.type, function: definition as ToolDefinition['function'] };
}

function toMessage(message: ChatMessageV1): ChatMessage {
  const out: Record<string, unknown> = { role: message.role, content: message.content };
  if (message.name !== null) out.name = message.name;
  if (message.tool_call_id !== null) out.tool_call_id = message.tool_call_id;
  if (message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.map((call) => ({
      id: call.id,
      type: call.type,
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
  }
  return out as ChatMessage;
}

/** OpenAI's `tool_choice`: a mode string, or the forced function. An `unknown` mode cannot be written back. */
function toToolChoice(choice: ToolChoiceV1): unknown {
  switch (choice.mode) {
    case 'function':
      return choice.function_name === null ? undefined : { type: 'function', function: { name: choice.function_name } };
    case 'unknown':
      return undefined;
    case 'auto':
    case 'none':
    case 'required':
      return choice.mode;
  }
}

/** Sampling settings the application set (null means it did not). */
const REQUEST_SETTINGS = [
  'temperature',
  'top_p',
  'max_tokens',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'parallel_tool_calls',
] as const satisfies readonly (keyof ChatRequestV1)[];

function toRequest(request: ChatRequestV1, interner: ToolListInterner | undefined): ChatRequest {
  const out: Record<string, unknown> = { model: request.model, messages: request.messages.map(toMessage) };
  if (request.tools.length > 0) {
    out.tools = interner ? interner.intern(request.tools) : request.tools.map(toToolDefinition);
  }
  const toolChoice = request.tool_choice === null ? undefined : toToolChoice(request.tool_choice);
  if (toolChoice !== undefined) out.tool_choice = toolChoice;
  for (const key of REQUEST_SETTINGS) if (request[key] !== null) out[key] = request[key];
  if (request.stop.length > 0) out.stop = request.stop;
  return out as ChatRequest;
}

function toResponse(response: ChatResponseV1): ChatResponse {
  const out: Record<string, unknown> = {};
  if (response.id !== null) out.id = response.id;
  // OpenAI's `created` is epoch seconds, like the record's timestamp.
  if (response.created !== null) out.created = toSeconds(response.created);
  if (response.model !== null) out.model = response.model;
  out.choices = response.choices.map((choice) => ({
    index: choice.index,
    message: toMessage(choice.message),
    finish_reason: choice.finish_reason,
  }));
  if (response.usage !== null) out.usage = { ...response.usage };
  return out as ChatResponse;
}

/**
 * A logged call as curation's `LogRecord`. Pass one `ToolListInterner` for a whole batch so records with the same
 * tools share one list (much faster curation of large batches); without one, every record gets its own copy.
 */
export function fromLlmCallLogged(event: LlmCallLoggedV1, interner?: ToolListInterner): LogRecord {
  return {
    timestamp: toSeconds(event.timestamp),
    workload_id: event.workload_id,
    client_id: event.client_id,
    request: toRequest(event.request, interner),
    response: toResponse(event.response),
  };
}
