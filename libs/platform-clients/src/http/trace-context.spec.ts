// Platform requests carry the call span's W3C trace context, so a traced platform continues the run's trace.
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HttpClient } from './http-client';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => provider.register());
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function recording(): { fetch: typeof fetch; headers: Headers[] } {
  const headers: Headers[] = [];
  return {
    headers,
    fetch: (_input, init) => {
      headers.push(new Headers(init?.headers));
      return Promise.resolve(new Response('{}'));
    },
  };
}

describe('trace context on platform requests', () => {
  it('sends the call span as the parent, inside the caller trace', async () => {
    const f = recording();
    const client = new HttpClient({ baseUrl: 'http://platform.test', fetch: f.fetch });
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await client.send({ call: 'evaluator.getJob', method: 'GET', path: '/v1/evaluation/jobs/1' });
      handler.end();
    });
    const [sent] = f.headers;
    const m = TRACEPARENT.exec(sent?.get('traceparent') ?? '');
    const call = exporter.getFinishedSpans().find((s) => s.name === 'evaluator.getJob');
    const handler = exporter.getFinishedSpans().find((s) => s.name === 'handler');
    expect(m?.[1]).toBe(handler?.spanContext().traceId);
    expect(m?.[2]).toBe(call?.spanContext().spanId);
  });

  it('adds it to what third-party clients send through rawFetch too', async () => {
    const f = recording();
    const client = new HttpClient({ baseUrl: 'http://platform.test', fetch: f.fetch });
    await trace.getTracer('test').startActiveSpan('upload', async (span) => {
      await client.rawFetch()('http://platform.test/v1/hf/api/repos/create', { method: 'POST' });
      span.end();
    });
    const m = TRACEPARENT.exec(f.headers[0]?.get('traceparent') ?? '');
    expect(m?.[2]).toBe(exporter.getFinishedSpans()[0]?.spanContext().spanId);
  });

  it('makes the call span the parent when the caller has no trace', async () => {
    const f = recording();
    await new HttpClient({ baseUrl: 'http://platform.test', fetch: f.fetch }).send({
      call: 'deployments.list',
      method: 'GET',
      path: '/v1/deployment/model-deployments',
    });
    const m = TRACEPARENT.exec(f.headers[0]?.get('traceparent') ?? '');
    expect(m?.[2]).toBe(exporter.getFinishedSpans()[0]?.spanContext().spanId);
  });
});
