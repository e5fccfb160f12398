// The deployer's platform calls and events join the runs' traces: the deploy task (probe, create, each poll until
// ready) under the deploy request that made the deployment, also after a restart; each lease's events and teardown
// under its own deploy request. Stored in the state file, so nothing depends on what the process saw.
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
  type Deployment,
  type DeploymentClient,
  type DeploymentSpec,
  type WaitOptions,
} from '@flywheel/platform-clients';
import { DeployerStateStore } from '../state/deployer-state-store';
import { DeployerWorker, type DeployerCatalogue } from './deployer-worker';

const SMALL = 'meta/llama-3.2-1b-instruct';

/** A deployment that gets ready when told; every call one client span, as the real clients make them. */
class TracedDeployments implements DeploymentClient {
  private readonly tracer = trace.getTracer('test-platform');
  public readonly live = new Map<string, boolean>();
  public polls = 0;

  private call<T>(name: string, fn: () => T): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind: SpanKind.CLIENT }, (span: Span) => {
      try {
        return Promise.resolve(fn());
      } finally {
        span.end();
      }
    });
  }

  public deploy(spec: DeploymentSpec): Promise<Deployment> {
    return this.call('deployments.create', () => {
      this.live.set(spec.model, false);
      return this.view(spec.model);
    });
  }

  public get(model: string): Promise<Deployment | null> {
    return this.call('deployments.get', () => (this.live.has(model) ? this.view(model) : null));
  }

  public delete(model: string): Promise<void> {
    return this.call('deployments.delete', () => {
      this.live.delete(model);
    });
  }

  public waitUntilReady(model: string, options?: WaitOptions<Deployment>): Promise<Deployment> {
    return waitForJob(
      'deployments.waitUntilReady',
      async () => {
        this.polls++;
        return (await this.get(model)) ?? this.view(model);
      },
      options,
    );
  }

  public listServedModels(): Promise<string[]> {
    return this.call('nim.listModels', () => [...this.live.keys()]);
  }

  private view(model: string): Deployment {
    const ready = this.live.get(model) === true;
    return {
      model,
      name: model.replace(/\//g, '-'),
      namespace: 'dfwbp',
      deployed: ready,
      status: ready ? 'succeeded' : 'running',
      rawStatus: ready ? 'ready' : 'pending',
      progress: null,
      message: null,
      error: null,
    };
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('DeployerWorker tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = trace.getTracer('test');
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
    dir = mkdtempSync(join(tmpdir(), 'deployer-trace-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  const parentOf = (s: ReadableSpan): [string, string | undefined] => [
    s.spanContext().traceId,
    s.parentSpanContext?.spanId,
  ];
  const at = (span: Span): [string, string] => [span.spanContext().traceId, span.spanContext().spanId];

  function newWorker(state: DeployerStateStore, platform: DeploymentClient): DeployerWorker {
    return new DeployerWorker(
      {
        state,
        deployments: platform,
        publisher: new MemoryEventBus<DeployerCatalogue>(catalogue),
        endpointOf: () => 'http://nim.test/v1',
        backend: 'nemo',
      },
      {
        capacity: { gpus: 2, defaultGpus: 1, modelGpus: {} },
        deploy: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 1 },
        wait: { pollIntervalMs: 2, timeoutMs: 10_000, stallTimeoutMs: 10_000 },
        tickIntervalMs: 20,
        reconcileIntervalMs: 0,
      },
    );
  }

  /** Runs `fn` as a handler would: inside a delivery span of its own trace. */
  function delivered(name: string, fn: () => unknown): Span {
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER });
    context.with(trace.setSpan(context.active(), span), fn);
    span.end();
    return span;
  }

  const request = (runId: string) => ({
    runId,
    model: SMALL,
    role: 'candidate' as const,
    gpus: 1,
    contextLength: null,
    imageTag: null,
  });

  it('waits for a deployment inside the trace of the run that asked for it, across a restart', async () => {
    const file = join(dir, 'state.db');
    let state = new DeployerStateStore(file);
    const platform = new TracedDeployments();
    const first = delivered('process deploy-requested (run-a)', () => state.recordRequest(request('run-a'), 1));

    const other = tracer.startSpan('process another run’s event');
    let worker = newWorker(state, platform);
    await context.with(trace.setSpan(context.active(), other), () => worker.start());
    other.end();
    await until('polls', () => platform.polls >= 2);
    await worker.stop();
    state.close();
    const before = platform.polls;

    state = new DeployerStateStore(file);
    worker = newWorker(state, platform);
    await worker.start();
    await until('a poll after the restart', () => platform.polls > before);
    platform.live.set(SMALL, true);
    await until('active', () => state.lease('run-a', SMALL)?.state === 'active');
    // A second run shares the deployment: its events are in its own trace.
    const second = delivered('process deploy-requested (run-b)', () => state.recordRequest(request('run-b'), 2));
    worker.wake();
    await until('run-b active', () => state.lease('run-b', SMALL)?.state === 'active');
    state.endRun('run-a', 'completed', 3);
    state.endRun('run-b', 'completed', 4);
    worker.wake();
    await until('released', () => state.lease('run-b', SMALL)?.state === 'released');
    await worker.stop();
    state.close();

    const task = [...finished('deployments.create'), ...finished('nim.listModels'), ...finished('deployments.get')];
    expect(task.length).toBeGreaterThanOrEqual(platform.polls + 2);
    expect(task.map(parentOf)).toEqual(task.map(() => at(first)));
    const deployed = finished(`send ${Topics.candidateDeployedV1}`);
    expect(deployed.map(parentOf)).toEqual([at(first), at(second)]);
    // The last lease released tears the deployment down, in its run's trace.
    expect(finished('deployments.delete').map(parentOf)).toEqual([at(second)]);
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === other.spanContext().traceId)).toEqual([
      expect.objectContaining({ name: 'process another run’s event' }),
    ]);
  });
});
