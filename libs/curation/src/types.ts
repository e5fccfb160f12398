// The production log record curation reads: an OpenAI-style chat completion request and the response the
// production ("teacher") model returned, as the blueprint stores it (inventory §2.1). Structurally compatible with
// the OpenAI JSON shape so the dataset-builder can map its event contracts onto it; extra keys pass through.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Multimodal content part (`{type: 'text', text}`, `{type: 'image_url', image_url}`, …). */
export interface ContentPart {
  readonly type?: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

export type MessageContent = string | null | readonly ContentPart[];

export interface ToolCallFunction {
  readonly name: string;
  /** A JSON string (OpenAI) or an already-parsed object (AIVA datasets, or after argument parsing). */
  readonly arguments: string | Readonly<Record<string, unknown>>;
}

export interface ToolCall {
  readonly id?: string;
  readonly type: string;
  readonly function: ToolCallFunction;
  readonly [key: string]: unknown;
}

export interface ChatMessage {
  readonly role: string;
  readonly content?: MessageContent;
  readonly tool_calls?: readonly ToolCall[];
  readonly [key: string]: unknown;
}

export interface ToolDefinition {
  readonly type?: string;
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: { readonly properties?: Readonly<Record<string, unknown>>; readonly [key: string]: unknown };
  };
  readonly [key: string]: unknown;
}

export interface ChatRequest {
  readonly model?: string;
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly [key: string]: unknown;
}

export interface ChatChoice {
  readonly index?: number;
  readonly message: ChatMessage;
  readonly finish_reason?: string | null;
  readonly [key: string]: unknown;
}

export interface ChatResponse {
  readonly choices: readonly ChatChoice[];
  readonly [key: string]: unknown;
}

export interface LogRecord {
  /** Epoch seconds in the blueprint's samples; ISO-8601 strings are accepted too (see timestamp.ts). */
  readonly timestamp?: number | string;
  readonly workload_id?: string;
  readonly client_id?: string;
  readonly request: ChatRequest;
  readonly response: ChatResponse;
  readonly [key: string]: unknown;
}

export type WorkloadType = 'tool_calling' | 'generic';

/** A record that passed validation, with the derived facts later stages need (computed once). */
export interface CuratedRecord {
  /** The input record as logged (tool-call arguments not yet parsed; see `parseArguments`). */
  readonly record: LogRecord;
  /**
   * Whether string tool-call arguments are to be parsed in the outputs. Validation has proved they parse; the
   * parsed copy is rebuilt where it is written instead of being held for every record (far less GC work).
   */
  readonly parseArguments: boolean;
  /** Position in the input, for stable tie-breaking and reporting. */
  readonly inputIndex: number;
  /** Epoch milliseconds, or -Infinity when the timestamp is absent or unreadable. */
  readonly timeMs: number;
  /** First tool call's function name in `response.choices[0].message`, else `no_tool` (inventory §2.6). */
  readonly toolName: string;
  /**
   * When `parseArguments`: what validation's parse of the reply's string arguments gave, as compact JSON text (see
   * `ReplyArguments`), so the training lines need not parse them again. Absent: formatting parses them itself.
   */
  readonly replyArguments?: ReplyArguments | undefined;
}

/**
 * Per tool call of `response.choices[0].message` whose arguments are a JSON text: that text as
 * `JSON.stringify(JSON.parse(arguments))` gives it, or null when it is the arguments text itself without the
 * whitespace between tokens (a plain text, see arguments-text.ts; compacted where the line is written). Undefined
 * for a call whose arguments are already an object. A string or nothing per call costs the collector far less than
 * the parsed objects would.
 */
export type ReplyArguments = readonly (string | null | undefined)[];

export const NO_TOOL = 'no_tool';
export const OTHERS = 'others';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Array.isArray that keeps the element type of a typed (readonly) array instead of widening to any[]. */
export function isList<T>(value: readonly T[] | string | null | undefined): value is readonly T[] {
  return Array.isArray(value);
}
