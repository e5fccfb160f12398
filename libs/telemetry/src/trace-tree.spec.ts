import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FileSpanExporter } from './file-span-exporter';
import { readSpanFiles, renderRunTraces, runTraces } from './trace-tree';

describe('span files and the run trace tree', () => {
  let dir: string;
  let providers: BasicTracerProvider[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-spans-'));
    providers = [];
  });
  afterEach(async () => {
    await Promise.all(providers.map((p) => p.shutdown()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A "service process": its own resource and span file, as startTelemetry sets them up. */
  function service(name: string, pid: number): Tracer {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': name }),
      spanProcessors: [new SimpleSpanProcessor(new FileSpanExporter(dir, `${name}-${pid}`))],
    });
    providers.push(provider);
    return provider.getTracer('test');
  }

  it('should rebuild one run’s trace across services with parents across the Kafka hop', () => {
    const api = service('results-aggregator', 1);
    const builder = service('dataset-builder', 2);
    const post = api.startSpan('POST /api/jobs', { kind: SpanKind.SERVER });
    const send = api.startSpan(
      'send flywheel.run.requested.v1',
      { kind: SpanKind.PRODUCER, attributes: { 'flywheel.run_id': 'run-a' } },
      trace.setSpan(ROOT_CONTEXT, post),
    );
    const process = builder.startSpan(
      'process flywheel.run.requested.v1',
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'flywheel.run_id': 'run-a', 'flywheel.candidate': 'meta/llama-3.2-1b-instruct' },
      },
      trace.setSpan(ROOT_CONTEXT, send),
    );
    process.setStatus({ code: SpanStatusCode.ERROR, message: 'platform down' });
    for (const s of [process, send, post]) s.end();
    // Another run's trace, and a line cut short by a kill.
    api.startSpan('send x', { attributes: { 'flywheel.run_id': 'run-b' } }).end();
    appendFileSync(join(dir, 'dataset-builder-2.jsonl'), '{"traceId":"ab');

    const files = readSpanFiles(dir);
    expect(files).toMatchObject({ files: 2, badLines: 1 });
    expect(files.spans).toHaveLength(4);

    const traces = runTraces(files.spans, 'run-a');
    expect(traces).toHaveLength(1);
    const [t] = traces;
    expect(t?.services).toEqual(['dataset-builder', 'results-aggregator']);
    expect(t?.roots.map((r) => r.span.name)).toEqual(['POST /api/jobs']);
    const consumer = t?.roots[0]?.children[0]?.children[0]?.span;
    expect(consumer).toMatchObject({ service: 'dataset-builder', kind: 'consumer', status: 'error' });
    expect(consumer?.parentSpanId).toBe(send.spanContext().spanId);

    const text = renderRunTraces(traces, 'run-a');
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^trace [0-9a-f]{32}: 3 spans, 2 services \(dataset-builder, results-aggregator\), /),
      expect.stringMatching(/^└─ results-aggregator {2}POST \/api\/jobs {2}\[server\] /),
      expect.stringMatching(/^ {3}└─ results-aggregator {2}send flywheel\.run\.requested\.v1 {2}\[producer\] /),
      expect.stringMatching(
        /^ {6}└─ dataset-builder {2}process flywheel\.run\.requested\.v1 {2}\[consumer\] .* candidate=meta\/llama-3\.2-1b-instruct {2}ERROR: platform down$/,
      ),
    ]);
  });

  it('should say so when no span belongs to the run, and read a missing directory as empty', () => {
    expect(renderRunTraces(runTraces([], 'run-z'), 'run-z')).toBe('no spans of run run-z');
    expect(readSpanFiles(join(dir, 'absent'))).toEqual({ spans: [], files: 0, badLines: 0 });
  });
});

describe('FileSpanExporter', () => {
  it('should set a full file aside and start a new one, keeping one previous file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flywheel-spans-'));
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'deployer' }),
      spanProcessors: [new SimpleSpanProcessor(new FileSpanExporter(dir, 'deployer-7', 1000))],
    });
    const tracer = provider.getTracer('test');
    for (let i = 0; i < 20; i++) tracer.startSpan(`span ${i}`, { attributes: { 'flywheel.run_id': 'r' } }).end();
    await provider.shutdown();

    const files = readSpanFiles(dir);
    expect(files.files).toBe(2);
    expect(files.badLines).toBe(0);
    const names = files.spans.map((s) => s.name);
    // Roughly 1000 bytes per file: the newest spans are all there, the oldest were dropped.
    expect(names.length).toBeLessThan(20);
    expect(names).toContain('span 19');
    expect(names).not.toContain('span 0');
    rmSync(dir, { recursive: true, force: true });
  });
});
