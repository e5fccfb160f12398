// Each evaluation's platform calls join its run's trace under the delivery that made it ready (stored with the row):
// one span per status poll, also when another run's handler woke the worker and in a restarted worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SpanKind, context, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import {
  waitForJob,
  type EvaluationClient,
  type EvaluationJob,
  type EvaluationResults,
  type JobStatus,
  type WaitOptions,
} from '@flywheel/platform-clients';
import { type WorkerSettings } from '../config/evaluator-config';
import { EvaluationStateStore, type EvaluationKey } from '../state/evaluation-state-store';
import { EvaluationWorker, type FlywheelCatalogue } from './evaluation-worker';

const M1 = 'meta/llama-3.2-1b-instruct';
const SETTINGS: WorkerSettings = {
  maxConcurrentJobs: 4,
  progressIntervalMs: 0,
  tickIntervalMs: 5,
  jobAttempts: 3,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  limit: undefined,
  judge: { kind: 'platform', model: 'meta/llama-3.3-70b-instruct' },
};

/** Jobs that finish when told; every call is one client span, as the real clients make them. */
class TracedEvaluator implements EvaluationClient {
  private readonly tracer = trace.getTracer('test-platform');
  public readonly status = new Map<string, JobStatus>();
  public readonly polls = new Map<string, number>();
  private next = 1;

  private call<T>(name: string, fn: () => T): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes: {} }, (span: Span) => {
      try {
        return Promise.resolve(fn());
      } finally {
        span.end();
      }
    });
  }

  public createJob(): Promise<EvaluationJob> {
    return this.call('evaluator.createJob', () => {
      const id = `job-${this.next++}`;
      this.status.set(id, 'running');
      return this.snapshot(id);
    });
  }

  public getJob(jobId: string): Promise<EvaluationJob> {
    return this.call(`evaluator.getJob`, () => {
      this.polls.set(jobId, (this.polls.get(jobId) ?? 0) + 1);
      return this.snapshot(jobId);
    });
  }

  public getResults(jobId: string): Promise<EvaluationResults> {
    return this.call('evaluator.getResults', () => ({
      jobId,
      scores: { function_name_accuracy: 0.75 },
      sampleCount: 1,
      samples: [],
      samplesUnavailable: null,
    }));
  }

  public cancelJob(): Promise<void> {
    return this.call('evaluator.cancelJob', () => undefined);
  }

  public deleteJob(): Promise<void> {
    return this.call('evaluator.deleteJob', () => undefined);
  }

  public waitForCompletion(jobId: string, options: WaitOptions<EvaluationJob> = {}): Promise<EvaluationJob> {
    return waitForJob('evaluator.waitForCompletion', () => this.getJob(jobId), { ...options, pollIntervalMs: 2 });
  }

  public get totalPolls(): number {
    return [...this.polls.values()].reduce((a, b) => a + b, 0);
  }

  private snapshot(id: string): EvaluationJob {
    const status = this.status.get(id) ?? 'running';
    return { id, status, rawStatus: status, progress: status === 'succeeded' ? 100 : 5, message: null, error: null };
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('EvaluationWorker tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = trace.getTracer('test');
  let dir: string;
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    dir = mkdtempSync(join(tmpdir(), 'evaluator-trace-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  function newWorker(state: EvaluationStateStore, evaluator: EvaluationClient): EvaluationWorker {
    return new EvaluationWorker({
      state,
      evaluation: evaluator,
      publisher: new MemoryEventBus<FlywheelCatalogue>(catalogue),
      namespace: 'dfwbp',
      wait: { pollIntervalMs: 2, timeoutMs: 10_000, stallTimeoutMs: 10_000 },
      settings: SETTINGS,
    });
  }

  /** Runs `fn` as a handler would: inside a delivery span of its own. */
  function delivered<R>(name: string, fn: () => R): Span {
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER });
    context.with(trace.setSpan(context.active(), span), fn);
    span.end();
    return span;
  }

  it('polls each evaluation under the delivery that made it ready, before and after a restart', async () => {
    const file = join(dir, 'state.db');
    let state = new EvaluationStateStore(file);
    delivered('process datasets.built', () =>
      state.recordDatasets('r1', { evalDataset: 'eval-r1', workloadType: 'tool_calling', iclByModel: {} }),
    );
    const deployed = delivered('process candidate.deployed', () => state.recordDeployed('r1', M1));
    const base: EvaluationKey = { runId: 'r1', modelName: M1, evalType: 'base' };
    expect(state.get(base)?.traceparent).toBe(
      `00-${deployed.spanContext().traceId}-${deployed.spanContext().spanId}-01`,
    );
    const evaluator = new TracedEvaluator();

    const other = tracer.startSpan('process another run’s event');
    let worker = newWorker(state, evaluator);
    context.with(trace.setSpan(context.active(), other), () => worker.start());
    other.end();
    await until('polls', () => evaluator.totalPolls >= 3);
    await worker.stop();
    state.close();
    const before = evaluator.totalPolls;

    state = new EvaluationStateStore(file);
    worker = newWorker(state, evaluator);
    worker.start();
    await until('a poll after the restart', () => evaluator.totalPolls > before);
    evaluator.status.set('job-1', 'succeeded');
    await until('completed', () => state.get(base)?.status === 'completed');
    await worker.stop();
    state.close();

    const polls = finished('evaluator.getJob');
    expect(polls).toHaveLength(evaluator.totalPolls);
    const calls = [...finished('evaluator.createJob'), ...polls, ...finished('evaluator.getResults')];
    const { traceId, spanId } = deployed.spanContext();
    expect(calls.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId])).toEqual(
      calls.map(() => [traceId, spanId]),
    );
    const sends = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(sends.map((s) => s.name)).toEqual(
      expect.arrayContaining([`send ${Topics.evaluationStartedV1}`, `send ${Topics.evaluationCompletedV1}`]),
    );
    expect(new Set(sends.map((s) => s.parentSpanContext?.spanId))).toEqual(new Set([spanId]));
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === other.spanContext().traceId)).toEqual([
      expect.objectContaining({ name: 'process another run’s event' }),
    ]);
  });

  it('opens a state file written before evaluations kept their trace context', () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE evaluations (
        run_id TEXT NOT NULL, model_name TEXT NOT NULL, eval_type TEXT NOT NULL,
        target_model TEXT NOT NULL, dataset_name TEXT NOT NULL, workload_type TEXT NOT NULL,
        status TEXT NOT NULL, job_id TEXT, job_created_at INTEGER, job_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0, started_published INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0, delete_requested INTEGER NOT NULL DEFAULT 0,
        job_deleted INTEGER NOT NULL DEFAULT 0, error TEXT, planned_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, model_name, eval_type));
      INSERT INTO evaluations (run_id, model_name, eval_type, target_model, dataset_name, workload_type, status,
        job_id, planned_at) VALUES ('r0', '${M1}', 'base', '${M1}', 'eval-r0', 'tool_calling', 'running', 'job-9', 1);
    `);
    old.close();
    const state = new EvaluationStateStore(file);
    // The running job is resumed (outside any trace: nothing was stored for it).
    expect(state.open()).toEqual([expect.objectContaining({ runId: 'r0', jobId: 'job-9', traceparent: null })]);
    state.close();
  });
});
