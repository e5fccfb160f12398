// The worker's platform calls for a run join the run's trace: each status poll is one span under the delivery that made
// the customization ready (stored in the state file), also when the worker was woken by another run's handler, and
// also in a restarted worker that never saw the run's events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { SpanKind, context, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import {
  waitForJob,
  type CustomizationClient,
  type CustomizationConfigRef,
  type CustomizationJob,
  type CustomizationJobSpec,
  type WaitOptions,
} from '@flywheel/platform-clients';
import { loadDriverConfig } from '../config/driver-config';
import { type FlywheelCatalogue } from '../customization/events';
import { CustomizationStateStore } from '../state/customization-state-store';
import { CustomizationWorker } from './customization-worker';

const MODEL = 'meta/llama-3.2-1b-instruct';
const config = loadDriverConfig({
  CUSTOMIZER_WORKER_INTERVAL_MS: '20',
  CUSTOMIZER_PROGRESS_INTERVAL_MS: '0',
  PLATFORM_POLL_INTERVAL_MS: '5',
});

/** One job that finishes when told; every call is a client span, as the real clients make them. */
class TracedCustomizer implements CustomizationClient {
  private readonly tracer = trace.getTracer('test-platform');
  public status: 'running' | 'succeeded' = 'running';
  public polls = 0;

  private call<T>(name: string, fn: () => T): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind: SpanKind.CLIENT }, (span: Span) => {
      span.end();
      return Promise.resolve(fn());
    });
  }

  public ensureConfig(): Promise<CustomizationConfigRef> {
    return this.call('customizer.createConfig', () => ({ namespace: 'dfwbp', name: 'cfg' }));
  }

  public createJob(spec: CustomizationJobSpec): Promise<CustomizationJob> {
    return this.call('customizer.createJob', () => this.job(spec.runId));
  }

  public findJob(): Promise<CustomizationJob | null> {
    return this.call('customizer.listJobs', () => null);
  }

  public getJob(): Promise<CustomizationJob> {
    this.polls++;
    return this.call('customizer.getJobStatus', () => this.job('r1'));
  }

  public cancelJob(): Promise<void> {
    return this.call('customizer.cancelJob', () => undefined);
  }

  public waitForCompletion(_jobId: string, options?: WaitOptions<CustomizationJob>): Promise<CustomizationJob> {
    return waitForJob('customizer.waitForCompletion', () => this.getJob(), options);
  }

  public deleteModel(): Promise<void> {
    return Promise.resolve();
  }

  public deleteConfig(): Promise<void> {
    return Promise.resolve();
  }

  private job(runId: string): CustomizationJob {
    const done = this.status === 'succeeded';
    return {
      id: 'job-1',
      outputModel: `dfwbp/customized-${runId}`,
      status: this.status,
      rawStatus: done ? 'completed' : 'running',
      progress: done ? 100 : 10,
      message: null,
      error: null,
      epochsCompleted: done ? 2 : 0,
      stepsCompleted: done ? 8 : 1,
      trainLoss: 1.2,
      valLoss: null,
    };
  }
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('CustomizationWorker tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let dir: string;
  beforeAll(() => {
    provider.register();
    Logger.overrideLogger(false);
  });
  afterAll(async () => {
    Logger.overrideLogger(['error', 'warn', 'log']);
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    dir = mkdtempSync(join(tmpdir(), 'customizer-trace-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tracer = trace.getTracer('test');
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  function newWorker(state: CustomizationStateStore, customizer: CustomizationClient): CustomizationWorker {
    const bus = new MemoryEventBus<FlywheelCatalogue>(catalogue);
    return new CustomizationWorker(
      { state, customization: customizer, publisher: bus },
      {
        worker: config.worker,
        wait: config.wait,
        namespace: 'dfwbp',
        training: config.training,
        models: config.models,
      },
    );
  }

  /** Runs `fn` as a handler would: inside a delivery span of its own trace. */
  function delivered<R>(name: string, fn: () => R): { span: Span; result: R } {
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER });
    const result = context.with(trace.setSpan(context.active(), span), fn);
    span.end();
    return { span, result };
  }

  it('polls inside the run’s trace, under the stored delivery, before and after a restart', async () => {
    const file = join(dir, 'state.db');
    let state = new CustomizationStateStore(file);
    delivered('process run.requested', () =>
      state.recordRequest({ runId: 'r1', workloadId: 'wl', training: null, lora: null, models: [MODEL] }),
    );
    const { span: datasets } = delivered('process datasets.built', () =>
      state.recordDatasets('r1', { name: 'flywheel-train-r1', recordCount: 40 }),
    );
    const customizer = new TracedCustomizer();

    // Woken first by an unrelated handler (another run's trace): the run's calls must not land there.
    const other = tracer.startSpan('process another run’s event');
    let worker = newWorker(state, customizer);
    context.with(trace.setSpan(context.active(), other), () => worker.start());
    other.end();
    await waitFor('two polls', () => customizer.polls >= 2);
    await worker.stop();
    state.close();
    const pollsBefore = customizer.polls;

    // A new process: nothing of the run is in memory but the state file.
    state = new CustomizationStateStore(file);
    worker = newWorker(state, customizer);
    worker.start();
    await waitFor('a poll after the restart', () => customizer.polls > pollsBefore);
    customizer.status = 'succeeded';
    await waitFor('completed', () => state.get({ runId: 'r1', modelName: MODEL })?.status === 'completed');
    await worker.stop();
    state.close();

    const traceId = datasets.spanContext().traceId;
    const polls = spans('customizer.getJobStatus');
    // One span per poll, each a child of the delivery that made the customization ready.
    expect(polls).toHaveLength(customizer.polls);
    const calls = [...spans('customizer.createConfig'), ...spans('customizer.createJob'), ...polls];
    expect(calls.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId])).toEqual(
      calls.map(() => [traceId, datasets.spanContext().spanId]),
    );
    // The events it publishes for the run sit in the same place.
    const sends = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(sends.map((s) => s.name)).toEqual(
      expect.arrayContaining([`send ${Topics.customizationStartedV1}`, `send ${Topics.customizationCompletedV1}`]),
    );
    expect(new Set(sends.map((s) => s.parentSpanContext?.spanId))).toEqual(new Set([datasets.spanContext().spanId]));
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === other.spanContext().traceId)).toEqual([
      expect.objectContaining({ name: 'process another run’s event' }),
    ]);
  });
});
