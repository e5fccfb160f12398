// Eval records: one JSON object a line, `{request, response}` in OpenAI format (the curated eval split).
import { z } from 'zod';
import { type ChatCompletionRequest, type ToolCall } from '../ports/chat-client';
import { toolCallSchema } from '../openai/schemas';

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.string().nullable().default(null),
    tool_calls: z.array(toolCallSchema).optional(),
    tool_call_id: z.string().optional(),
    name: z.string().optional(),
  })
  .passthrough();

export const evalRecordSchema = z.object({
  request: z
    .object({
      messages: z.array(messageSchema).min(1),
      tools: z
        .array(
          z.object({
            type: z.literal('function'),
            function: z.object({
              name: z.string(),
              description: z.string().optional(),
              parameters: z.record(z.unknown()).optional(),
            }),
          }),
        )
        .optional(),
    })
    .passthrough(),
  response: z.object({
    choices: z
      .array(
        z.object({
          message: z.object({
            content: z.string().nullable().optional(),
            tool_calls: z.array(toolCallSchema).nullable().optional(),
          }),
        }),
      )
      .min(1),
  }),
});

export type EvalRecord = z.infer<typeof evalRecordSchema>;

export function parseEvalRecords(jsonl: string): EvalRecord[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = evalRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`eval record ${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    });
}

export function referenceToolCalls(record: EvalRecord): ToolCall[] {
  return record.response.choices[0]?.message.tool_calls ?? [];
}

export function referenceContent(record: EvalRecord): string {
  return record.response.choices[0]?.message.content ?? '';
}

/** The candidate's request: the logged messages and tools, tool use required when tools are offered. */
export function candidateRequest(record: EvalRecord, model: string): ChatCompletionRequest {
  const tools = record.request.tools;
  return {
    model,
    messages: record.request.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}),
      ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
      ...(m.name ? { name: m.name } : {}),
    })),
    ...(tools && tools.length > 0 ? { tools, tool_choice: 'required' as const } : {}),
  };
}
