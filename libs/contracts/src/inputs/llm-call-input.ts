// A production log record as an application POSTs or publishes it as JSON (OpenAI chat-completion shapes, the
// blueprint's `{timestamp, workload_id, client_id, request, response}`), and its conversion to the Avro event.
// Tolerant where real clients differ (tool-call arguments as a string or an object, `max_completion_tokens`,
// text-part content); strict where the flywheel depends on it (ids, messages, choices).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type ChatMessageV1,
  type FinishReasonV1,
  FinishReasonV1Symbols,
  type LlmCallLoggedV1,
  type ToolChoiceV1,
} from '../generated';

// Epoch seconds (the blueprint's unit) or an ISO-8601 date-time. A number that only makes sense as milliseconds is
// rejected rather than guessed: the blueprint's seconds-read-as-millis mix-up is a bug this shape must not repeat.
const MAX_EPOCH_SECONDS = 1e11;
const timestampInput = z.union([
  z.number().nonnegative().max(MAX_EPOCH_SECONDS, 'timestamp is epoch seconds; this looks like milliseconds'),
  z.string().datetime({ offset: true }),
]);

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const contentInput = z.union([z.string(), z.array(textPart)]).nullish();

const toolCallInput = z.object({
  id: z.string().min(1),
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string().min(1),
    // OpenAI sends a JSON text; some loggers (the blueprint's AIVA data) store the parsed object.
    arguments: z.union([z.string(), z.record(z.unknown())]),
  }),
});

const messageInput = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: contentInput,
  name: z.string().nullish(),
  tool_call_id: z.string().nullish(),
  tool_calls: z.array(toolCallInput).nullish(),
});

const toolInput = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.unknown()).nullish(),
  }),
});

const toolChoiceInput = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const count = z.number().int().nonnegative();

const requestInput = z.object({
  model: z.string().min(1),
  messages: z.array(messageInput).min(1),
  tools: z.array(toolInput).nullish(),
  tool_choice: toolChoiceInput.nullish(),
  temperature: z.number().finite().nullish(),
  top_p: z.number().finite().nullish(),
  max_tokens: count.nullish(),
  max_completion_tokens: count.nullish(),
  n: count.nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  presence_penalty: z.number().finite().nullish(),
  frequency_penalty: z.number().finite().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
});

const responseInput = z.object({
  id: z.string().nullish(),
  created: z.number().nonnegative().max(MAX_EPOCH_SECONDS).nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: count.optional(),
        message: messageInput,
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: count, completion_tokens: count, total_tokens: count }).nullish(),
});

export const llmCallInputSchema = z.object({
  log_id: z.string().min(1).nullish(),
  workload_id: z.string().trim().min(1),
  client_id: z.string().trim().min(1),
  timestamp: timestampInput,
  request: requestInput,
  response: responseInput,
  latency_ms: count.nullish(),
  feedback: z
    .object({
      rating: z.enum(['thumbs_up', 'thumbs_down']).nullish(),
      score: z.number().finite().nullish(),
      comment: z.string().nullish(),
    })
    .nullish(),
});

export type LlmCallInput = z.infer<typeof llmCallInputSchema>;

export interface LlmCallConversionOptions {
  /** The event id; a fresh UUID when absent. */
  readonly eventId?: string;
}

/** Converts a validated log record to the Avro payload of `flywheel.log.llm-call-logged.v1`. */
export function toLlmCallLogged(input: LlmCallInput, options: LlmCallConversionOptions = {}): LlmCallLoggedV1 {
  const { request, response } = input;
  return {
    event_id: options.eventId ?? randomUUID(),
    log_id: input.log_id ?? null,
    workload_id: input.workload_id,
    client_id: input.client_id,
    timestamp: typeof input.timestamp === 'number' ? Math.round(input.timestamp * 1000) : Date.parse(input.timestamp),
    request: {
      model: request.model,
      messages: request.messages.map(toMessage),
      tools: (request.tools ?? []).map((tool) => ({
        type: tool.type,
        function: {
          name: tool.function.name,
          description: tool.function.description ?? null,
          parameters: tool.function.parameters == null ? null : JSON.stringify(tool.function.parameters),
        },
      })),
      tool_choice: request.tool_choice == null ? null : toToolChoice(request.tool_choice),
      temperature: request.temperature ?? null,
      top_p: request.top_p ?? null,
      max_tokens: request.max_tokens ?? request.max_completion_tokens ?? null,
      n: request.n ?? null,
      seed: request.seed ?? null,
      stop: request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop,
      presence_penalty: request.presence_penalty ?? null,
      frequency_penalty: request.frequency_penalty ?? null,
      parallel_tool_calls: request.parallel_tool_calls ?? null,
    },
    response: {
      id: response.id ?? null,
      model: response.model ?? null,
      created: response.created == null ? null : Math.round(response.created * 1000),
      choices: response.choices.map((choice, i) => ({
        index: choice.index ?? i,
        message: toMessage(choice.message),
        finish_reason: choice.finish_reason == null ? null : toFinishReason(choice.finish_reason),
      })),
      usage: response.usage ?? null,
    },
    latency_ms: input.latency_ms ?? null,
    feedback:
      input.feedback == null
        ? null
        : {
            rating: input.feedback.rating ?? null,
            score: input.feedback.score ?? null,
            comment: input.feedback.comment ?? null,
          },
  };
}

/** Parses and converts in one step; throws a ZodError describing every problem when the JSON is not a log record. */
export function parseLlmCall(json: unknown, options: LlmCallConversionOptions = {}): LlmCallLoggedV1 {
  return toLlmCallLogged(llmCallInputSchema.parse(json), options);
}

function toMessage(message: z.infer<typeof messageInput>): ChatMessageV1 {
  const { content } = message;
  return {
    role: message.role,
    content: content == null ? null : typeof content === 'string' ? content : content.map((p) => p.text).join('\n'),
    name: message.name ?? null,
    tool_call_id: message.tool_call_id ?? null,
    tool_calls: (message.tool_calls ?? []).map((call) => ({
      id: call.id,
      type: call.type,
      function: {
        name: call.function.name,
        arguments:
          typeof call.function.arguments === 'string'
            ? call.function.arguments
            : JSON.stringify(call.function.arguments),
      },
    })),
  };
}

function toToolChoice(choice: z.infer<typeof toolChoiceInput>): ToolChoiceV1 {
  return typeof choice === 'string'
    ? { mode: choice, function_name: null }
    : { mode: 'function', function_name: choice.function.name };
}

// A finish reason newer than the schema maps to 'unknown' instead of failing the record.
function toFinishReason(reason: string): FinishReasonV1 {
  return FinishReasonV1Symbols.find((symbol) => symbol === reason) ?? 'unknown';
}
