// The OpenAI-compatible surface of the models the simulator serves (the NIM proxy): `/v1/models`,
// `/v1/chat/completions` (simulated models and the simulated judge), `/v1/embeddings` (hashed n-grams).
import { type ChatCompletionRequest, type ChatMessage } from '@flywheel/platform-clients';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Router } from '../http/router';
import { fail, jsonBody, ok } from '../http/reply';
import { simulatedCost } from '../models/cost';
import { embed } from '../models/embeddings';
import { fnv1a } from '../models/hash';
import { judgeReply } from '../models/simulated-judge';
import { simulateAnswer } from '../models/simulated-model';
import { approxTokens } from '../models/tokens';
import { type PlatformState } from '../state/platform-state';

const chatBody = z
  .object({
    model: z.string().min(1),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'user', 'assistant', 'tool']),
            content: z.string().nullable().default(null),
          })
          .passthrough(),
      )
      .min(1),
    tools: z
      .array(z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).passthrough() }))
      .optional(),
    tool_choice: z.unknown().optional(),
  })
  .passthrough();

const embeddingBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string())]),
  input_type: z.string().optional(),
});

export function registerOpenAIRoutes(router: Router, state: PlatformState): void {
  router.add('GET', '/v1/models', () =>
    ok({
      object: 'list',
      data: state
        .servedModels()
        .map((id) => ({ id, object: 'model', owned_by: id.split('/')[0] ?? 'simulator', created: 0 })),
    }),
  );

  router.add('POST', '/v1/chat/completions', async (req) => {
    const body = jsonBody(req, chatBody);
    if (!state.isServed(body.model)) return fail(404, `The model \`${body.model}\` does not exist.`);
    const request = body as unknown as ChatCompletionRequest;
    const messages = body.messages as unknown as ChatMessage[];
    const verdict = judgeReply(messages);
    const answer =
      verdict !== null
        ? { content: verdict, toolCalls: [], correct: true }
        : simulateAnswer(request, {
            model: state.answerIdentityOf(body.model),
            skill: state.skillOf(body.model),
            seed: state.options.seed,
            index: state.answers,
          });
    const { usage, latencyMs } = simulatedCost(body.model, request, answer);
    if (state.options.latencyScale > 0) await sleep(latencyMs * state.options.latencyScale);
    const id = `chatcmpl-${fnv1a(`${body.model}:${JSON.stringify(body.messages)}`).toString(16)}`;
    return {
      status: 200,
      headers: { 'x-simulated-latency-ms': String(latencyMs) },
      json: {
        id,
        object: 'chat.completion',
        created: Math.floor(state.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            finish_reason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop',
            message: {
              role: 'assistant',
              content: answer.content,
              ...(answer.toolCalls.length > 0
                ? {
                    tool_calls: answer.toolCalls.map((c, i) => ({
                      id: c.id ?? `call_${id.slice(9)}_${i}`,
                      type: 'function',
                      function: c.function,
                    })),
                  }
                : {}),
            },
          },
        ],
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: usage.totalTokens,
        },
      },
    };
  });

  router.add('POST', '/v1/embeddings', (req) => {
    const body = jsonBody(req, embeddingBody);
    if (!state.isServed(body.model)) return fail(404, `The model \`${body.model}\` does not exist.`);
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const tokens = inputs.reduce((n, t) => n + approxTokens(t), 0);
    return ok({
      object: 'list',
      model: body.model,
      data: inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: embed(text, state.options.embeddingDimensions),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });
}
