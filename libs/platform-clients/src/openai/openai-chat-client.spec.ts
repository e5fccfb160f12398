import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { FlywheelPlatformAttr, GenAiAttr, GenAiOperation, GenAiProvider } from '../http/genai-attributes';
import { createNemoPlatform } from '../nemo/nemo-platform';
import { OpenAIChatClient } from './openai-chat-client';

const PROMPT = 'my card number is 4111 1111 1111 1111';
const ANSWER = 'I will look that order up for you';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => provider.register());
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

function answering(body: unknown): { fetch: typeof fetch; bodies: string[] } {
  const bodies: string[] = [];
  return {
    bodies,
    fetch: (_input, init) => {
      bodies.push(typeof init?.body === 'string' ? init.body : '');
      return Promise.resolve(new Response(JSON.stringify(body)));
    },
  };
}

const completion = {
  id: 'chatcmpl-1',
  model: 'meta/llama-3.2-1b-instruct@served',
  choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: ANSWER } }],
  usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
};

const nemoAt = { nemoBaseUrl: 'http://nemo.test', nimBaseUrl: 'http://nim.test', datastoreBaseUrl: 'http://ds.test' };

const onlySpan = (): ReadableSpan => {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

describe('chat completion spans (OTel GenAI conventions)', () => {
  it('carry operation, provider, request and response model and token usage, and no message text', async () => {
    const platform = answering(completion);
    const client = new OpenAIChatClient({ baseUrl: 'http://llm.test/v1', fetch: platform.fetch, service: 'judge' });
    await client.complete({
      model: 'meta/llama-3.2-1b-instruct',
      messages: [
        { role: 'system', content: 'You are a support agent.' },
        { role: 'user', content: PROMPT },
      ],
      max_tokens: 64,
      temperature: 0,
    });

    const span = onlySpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.name).toBe('judge.chatCompletion');
    expect(span.attributes).toMatchObject({
      [GenAiAttr.operationName]: 'chat',
      [GenAiAttr.providerName]: 'openai',
      [GenAiAttr.requestModel]: 'meta/llama-3.2-1b-instruct',
      [GenAiAttr.requestMaxTokens]: 64,
      [GenAiAttr.requestTemperature]: 0,
      [GenAiAttr.responseModel]: 'meta/llama-3.2-1b-instruct@served',
      [GenAiAttr.responseId]: 'chatcmpl-1',
      [GenAiAttr.responseFinishReasons]: ['stop'],
      [GenAiAttr.usageInputTokens]: 42,
      [GenAiAttr.usageOutputTokens]: 7,
    });
    expect(platform.bodies[0]).toContain(PROMPT); // the prompt did go to the model…
    const recorded = JSON.stringify({ attributes: span.attributes, events: span.events, status: span.status });
    expect(recorded).not.toContain('4111'); // …but not onto the span
    expect(recorded).not.toContain(ANSWER);
    expect(recorded).not.toContain('support agent');
  });

  it('leave token counts out when the server reports no usage, and name NIM as the provider on NeMo', async () => {
    const platform = answering({ ...completion, usage: undefined });
    const nemo = createNemoPlatform(nemoAt, platform);
    await nemo.chat('meta/llama-3.2-1b-instruct').complete({
      model: 'meta/llama-3.2-1b-instruct',
      messages: [{ role: 'user', content: PROMPT }],
    });
    const span = onlySpan();
    expect(span.name).toBe('nim.chatCompletion');
    expect(span.attributes[GenAiAttr.providerName]).toBe(GenAiProvider.nim);
    expect(span.attributes[GenAiAttr.requestModel]).toBe('meta/llama-3.2-1b-instruct');
    expect(span.attributes).not.toHaveProperty(GenAiAttr.usageInputTokens);
    expect(span.attributes).not.toHaveProperty(GenAiAttr.requestMaxTokens);
  });

  it('put the model being evaluated on the evaluation job call, with flywheel.candidate', async () => {
    const platform = answering({ id: 'job-1', status: 'created' });
    const nemo = createNemoPlatform(nemoAt, platform);
    await nemo.evaluation
      .createJob({
        kind: 'tool-calling',
        model: 'dfwbp/customized-llama',
        dataset: { namespace: 'dfwbp', name: 'eval-1' },
        judge: { kind: 'platform', model: 'judge' },
      })
      .catch(() => undefined); // the response shape does not matter here, only the span of the call
    const span = exporter.getFinishedSpans().find((s) => s.name === 'evaluator.createJob');
    expect(span?.attributes).toMatchObject({
      [GenAiAttr.requestModel]: 'dfwbp/customized-llama',
      [FlywheelPlatformAttr.candidate]: 'dfwbp/customized-llama',
    });
  });

  it('spell the attribute names as @opentelemetry/semantic-conventions does', () => {
    const semconv = jest.requireActual<Record<string, unknown>>('@opentelemetry/semantic-conventions/incubating');
    expect(GenAiAttr).toEqual({
      operationName: semconv.ATTR_GEN_AI_OPERATION_NAME,
      providerName: semconv.ATTR_GEN_AI_PROVIDER_NAME,
      requestModel: semconv.ATTR_GEN_AI_REQUEST_MODEL,
      requestMaxTokens: semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS,
      requestTemperature: semconv.ATTR_GEN_AI_REQUEST_TEMPERATURE,
      responseModel: semconv.ATTR_GEN_AI_RESPONSE_MODEL,
      responseId: semconv.ATTR_GEN_AI_RESPONSE_ID,
      responseFinishReasons: semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
      usageInputTokens: semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      usageOutputTokens: semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    });
    expect(GenAiOperation.chat).toBe(semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT);
    expect(GenAiOperation.embeddings).toBe(semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS);
    expect(GenAiProvider.openai).toBe(semconv.GEN_AI_PROVIDER_NAME_VALUE_OPENAI);
  });
});
