// zod shapes of the OpenAI-compatible responses we read. Lenient where servers differ (usage may be missing,
// some servers send tool-call arguments as an object), strict on what the flywheel relies on.
import { z } from 'zod';

export const toolCallSchema = z.object({
  id: z.string().optional(),
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string(),
    arguments: z
      .union([z.string(), z.record(z.unknown())])
      .transform((a) => (typeof a === 'string' ? a : JSON.stringify(a))),
  }),
});

export const usageSchema = z
  .object({
    prompt_tokens: z.number().int().nonnegative().default(0),
    completion_tokens: z.number().int().nonnegative().default(0),
    total_tokens: z.number().int().nonnegative().optional(),
  })
  .transform((u) => ({
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens,
    totalTokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
  }));

export const chatCompletionResponseSchema = z.object({
  id: z.string().default(''),
  model: z.string().default(''),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullable().optional(),
        message: z.object({
          role: z.string().optional(),
          content: z.string().nullable().optional(),
          tool_calls: z.array(toolCallSchema).nullable().optional(),
        }),
      }),
    )
    .min(1),
  usage: usageSchema.nullable().optional(),
});

export const modelListSchema = z.object({
  data: z.array(z.object({ id: z.string() }).passthrough()),
});

export const embeddingResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().optional(), embedding: z.array(z.number()) })),
});
