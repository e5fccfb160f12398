// Validation, rule by rule (inventory §2.4). Every check is a pure function returning the name of the first rule a
// record breaks, so each dropped record is counted under exactly one rule. Nothing here throws on bad input and
// nothing mutates it: argument parsing returns a copy of the path it changes.
import { plainArguments, PLAIN_COMPACT, PLAIN_SPACED } from './arguments-text';
import { UnparseableLine } from './json';
import {
  isList,
  isObject,
  type ChatChoice,
  type CuratedRecord,
  type LogRecord,
  type ReplyArguments,
  type ToolCall,
} from './types';

/** Every rule that can drop a record, in the order they are applied. */
export const DROP_RULES = [
  'unparseable_json',
  'not_an_object',
  'missing_request',
  'missing_response',
  'request_not_object',
  'messages_not_array',
  'messages_empty',
  'invalid_message',
  'invalid_content',
  'message_too_long',
  'invalid_tools',
  'too_many_tool_properties',
  'response_not_object',
  'choices_not_array',
  'choices_empty',
  'invalid_choice',
  'no_tool_calls',
  'invalid_tool_call',
  'non_function_tool_call',
  'unparseable_arguments',
  'arguments_not_object',
  'duplicate',
] as const;

export type DropRule = (typeof DROP_RULES)[number];

/** The OpenAI-format rules (the blueprint's `invalid_format` count). */
export const FORMAT_RULES: readonly DropRule[] = DROP_RULES.slice(0, DROP_RULES.indexOf('invalid_choice') + 1);
/** The tool-calling quality filter and argument parsing (the blueprint's `removed_quality_filters`). */
export const QUALITY_RULES: readonly DropRule[] = [
  'no_tool_calls',
  'invalid_tool_call',
  'non_function_tool_call',
  'unparseable_arguments',
  'arguments_not_object',
];

export type DropCounts = Record<DropRule, number>;

export function emptyDropCounts(): DropCounts {
  return Object.fromEntries(DROP_RULES.map((r) => [r, 0])) as DropCounts;
}

export interface FormatLimits {
  /** null = no limit. */
  readonly maxToolProperties: number | null;
  /** null = no limit. */
  readonly maxMessageChars: number | null;
}

function contentLength(content: unknown): number | null {
  if (content === undefined || content === null) return 0;
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return null;
  let n = 0;
  for (const part of content as unknown[]) {
    if (!isObject(part)) return null;
    if (typeof part.text === 'string') n += part.text.length;
  }
  return n;
}

function messageRule(message: unknown, maxChars: number | null): DropRule | null {
  if (!isObject(message) || typeof message.role !== 'string') return 'invalid_message';
  if (message.tool_calls !== undefined && message.tool_calls !== null && !Array.isArray(message.tool_calls)) {
    return 'invalid_message';
  }
  const length = contentLength(message.content);
  if (length === null) return 'invalid_content';
  if (maxChars !== null && length > maxChars) return 'message_too_long';
  return null;
}

function toolsRule(tools: unknown, maxProperties: number | null): DropRule | null {
  if (tools === undefined || tools === null) return null;
  if (!Array.isArray(tools)) return 'invalid_tools';
  for (const tool of tools as unknown[]) {
    if (!isObject(tool) || !isObject(tool.function) || typeof tool.function.name !== 'string') return 'invalid_tools';
    const parameters = tool.function.parameters;
    if (parameters === undefined || parameters === null) continue;
    if (!isObject(parameters)) return 'invalid_tools';
    const properties = parameters.properties;
    if (properties === undefined || properties === null) continue;
    if (!isObject(properties)) return 'invalid_tools';
    if (maxProperties !== null && Object.keys(properties).length > maxProperties) return 'too_many_tool_properties';
  }
  return null;
}

/**
 * Verdicts on tool lists, by list. A workload sends the same tools with every call and the dataset-builder shares
 * one list between those records (`ToolListInterner`), so each distinct list is checked once per run.
 */
export type ToolsVerdicts = Map<object, DropRule | null>;

function cachedToolsRule(tools: object, maxProperties: number | null, verdicts: ToolsVerdicts): DropRule | null {
  let verdict = verdicts.get(tools);
  if (verdict === undefined) {
    verdict = toolsRule(tools, maxProperties);
    verdicts.set(tools, verdict);
  }
  return verdict;
}

/**
 * OpenAI chat-completion format (§2.4 rule 2), plus message/content shape and size checks the blueprint lacked.
 * Pass one `ToolsVerdicts` per run (the limits must not change within it) to check shared tool lists once.
 */
export function formatRule(value: unknown, limits: FormatLimits, toolsVerdicts?: ToolsVerdicts): DropRule | null {
  if (value instanceof UnparseableLine) return 'unparseable_json';
  if (!isObject(value)) return 'not_an_object';
  if (value.request === undefined || value.request === null) return 'missing_request';
  if (value.response === undefined || value.response === null) return 'missing_response';
  const request = value.request;
  if (!isObject(request)) return 'request_not_object';
  if (!Array.isArray(request.messages)) return 'messages_not_array';
  if (request.messages.length === 0) return 'messages_empty';
  for (const m of request.messages as unknown[]) {
    const rule = messageRule(m, limits.maxMessageChars);
    if (rule !== null) return rule;
  }
  const toolRule =
    toolsVerdicts && Array.isArray(request.tools)
      ? cachedToolsRule(request.tools, limits.maxToolProperties, toolsVerdicts)
      : toolsRule(request.tools, limits.maxToolProperties);
  if (toolRule !== null) return toolRule;
  const response = value.response;
  if (!isObject(response)) return 'response_not_object';
  if (!Array.isArray(response.choices)) return 'choices_not_array';
  if (response.choices.length === 0) return 'choices_empty';
  for (const choice of response.choices as unknown[]) {
    if (!isObject(choice) || !isObject(choice.message)) return 'invalid_choice';
    const rule = messageRule(choice.message, limits.maxMessageChars);
    if (rule !== null) return rule;
  }
  return null;
}

/** Tool calls of `response.choices[0].message` (empty when none): the workload and class signal. */
export function firstChoiceToolCalls(record: LogRecord): readonly ToolCall[] {
  const calls = record.response.choices[0]?.message.tool_calls;
  return isList(calls) ? calls : [];
}

function isFunctionCall(call: unknown): DropRule | null {
  if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') {
    return 'invalid_tool_call';
  }
  return call.type === 'function' ? null : 'non_function_tool_call';
}

/** Tool-calling quality filter (§2.4 rule 3): the first choice with tool calls must call functions only. */
export function toolCallRule(record: LogRecord): DropRule | null {
  for (const choice of record.response.choices) {
    const calls = choice.message.tool_calls;
    if (!Array.isArray(calls) || calls.length === 0) continue;
    for (const call of calls as unknown[]) {
      const rule = isFunctionCall(call);
      if (rule !== null) return rule;
    }
    return null;
  }
  return 'no_tool_calls';
}

export type ParsedArguments = { readonly record: LogRecord } | { readonly rule: DropRule };

/** The record as the outputs show it: arguments parsed when the run parses them (validation proved they parse). */
export function outputRecord(curated: CuratedRecord): LogRecord {
  if (!curated.parseArguments) return curated.record;
  const parsed = parseToolArguments(curated.record);
  return 'record' in parsed ? parsed.record : curated.record;
}

/** Whether one call's `function.arguments` is (or parses to) an object. */
function argumentRule(args: unknown): DropRule | null {
  if (isObject(args)) return null;
  if (typeof args !== 'string') return 'arguments_not_object';
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return 'unparseable_arguments';
  }
  return isObject(parsed) ? null : 'arguments_not_object';
}

/** A call whose `function.arguments` is a JSON text (calls of any other shape are left to the other rules). */
function stringArgumentsCall(call: unknown): call is ToolCall & { function: { arguments: string } } {
  return isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string';
}

/**
 * Argument parsing (§2.4 rule 4) as a check: the rule the first bad `function.arguments` of any response choice
 * breaks, else null. Validation only needs the verdict; the parsed copy is built where a record is written.
 */
export function argumentsRule(record: LogRecord): DropRule | null {
  for (const choice of record.response.choices) {
    const calls = choice.message.tool_calls;
    if (!Array.isArray(calls)) continue;
    for (const call of calls as unknown[]) {
      if (!isObject(call) || !isObject(call.function)) continue;
      const rule = argumentRule(call.function.arguments);
      if (rule !== null) return rule;
    }
  }
  return null;
}

/** Shared `ReplyArguments` for the usual reply: every call's arguments a plain text with spaces, by call count. */
const allSpaced: ReplyArguments[] = [];
const SHARED_UP_TO = 16;

function spacedOnly(texts: ReplyArguments): ReplyArguments {
  const count = texts.length;
  if (count > SHARED_UP_TO) return texts;
  return (allSpaced[count] ??= Object.freeze(new Array<null>(count).fill(null)));
}

/**
 * `argumentsRule` that also keeps what formatting needs of the reply (`response.choices[0].message`): the rule
 * broken, or the reply's `ReplyArguments` (null when the reply has no string arguments). Plain argument texts (see
 * arguments-text.ts) are checked by a scan that builds nothing; the rest are parsed.
 */
export function checkArguments(record: LogRecord): DropRule | ReplyArguments | null {
  let texts: (string | null | undefined)[] | null = null;
  let spaced = 0;
  const choices = record.response.choices;
  for (let c = 0; c < choices.length; c++) {
    const calls = (choices[c] as ChatChoice).message.tool_calls;
    if (!Array.isArray(calls)) continue;
    for (let k = 0; k < calls.length; k++) {
      const call: unknown = calls[k];
      if (!isObject(call) || !isObject(call.function)) continue;
      const args = call.function.arguments;
      if (isObject(args)) continue;
      if (typeof args !== 'string') return 'arguments_not_object';
      const plain = plainArguments(args);
      let text: string | null;
      if (plain === PLAIN_SPACED) {
        text = null;
      } else if (plain === PLAIN_COMPACT) {
        text = args;
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(args);
        } catch {
          return 'unparseable_arguments';
        }
        if (!isObject(parsed)) return 'arguments_not_object';
        text = c === 0 ? JSON.stringify(parsed) : null;
      }
      if (c === 0) {
        (texts ??= new Array<string | null | undefined>(calls.length).fill(undefined))[k] = text;
        if (text === null) spaced++;
      }
    }
  }
  return texts !== null && spaced === texts.length ? spacedOnly(texts) : texts;
}

/**
 * Argument parsing (§2.4 rule 4): string `function.arguments` of every response choice become objects. Returns the
 * same record when nothing changes, else a copy of the changed path (the input is never written to).
 */
export function parseToolArguments(record: LogRecord): ParsedArguments {
  const rule = argumentsRule(record);
  if (rule !== null) return { rule };
  let changed = false;
  const choices = record.response.choices.map((choice): ChatChoice => {
    const calls = choice.message.tool_calls;
    if (!isList(calls) || !calls.some(stringArgumentsCall)) return choice;
    changed = true;
    const parsed = calls.map((call): ToolCall =>
      stringArgumentsCall(call)
        ? {
            ...call,
            function: { ...call.function, arguments: JSON.parse(call.function.arguments) as Record<string, unknown> },
          }
        : call,
    );
    return { ...choice, message: { ...choice.message, tool_calls: parsed } };
  });
  return changed ? { record: { ...record, response: { ...record.response, choices } } } : { record };
}
