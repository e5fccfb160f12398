// The builder as a Nest app on the in-memory bus: handlers found at boot, a run request in, events out; the cancel
// consumer group; redelivery; a log store that stays down; the health endpoint over HTTP.
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { type LogStore, type StoredLogRecord } from '@flywheel/stores';
import { type FlywheelCatalogue } from '../src/build/build-datasets';
import { datasetNameOf, eventIdOf } from '../src/build/deterministic-ids';
import { loadBuilderConfig } from '../src/config/builder-config';
import { DatasetBuilderModule, type BuilderOverrides } from '../src/dataset-builder.module';
import { SqliteRunStateStore } from '../src/state/run-state-store';
import { BuildQueueWorker } from '../src/build/build-queue-worker';
import { BuilderLifecycle } from '../src/lifecycle/builder-lifecycle';
import { CONTROL_GROUP_ID } from '../src/tokens';
import {
  CountingDatasetStore,
  GatedDatasetStore,
  logStoreWith,
  REQUESTED_AT,
  runRequested,
  until,
} from './builder-fixtures';

const config = loadBuilderConfig({
  BUILDER_MAX_ATTEMPTS: '3',
  BUILDER_RETRY_BACKOFF_BASE_MS: '1',
  BUILDER_RETRY_BACKOFF_MAX_MS: '5',
});

function testBus(): BuilderOverrides['bus'] {
  return BusModule.forTesting(catalogue, {
    groupId: config.groupId,
    subscriptions: [Topics.runRequestedV1],
    retry: { maxAttempts: 3, backoffBaseMs: 0, backoffMaxMs: 0 },
  });
}

async function boot(overrides: Omit<BuilderOverrides, 'bus'>): Promise<{
  app: INestApplication;
  bus: MemoryEventBus<FlywheelCatalogue>;
  /** Delivers what is on the bus, waits for the build worker to settle every queued build, delivers its events. */
  settle: () => Promise<void>;
}> {
  const moduleRef = await Test.createTestingModule({
    imports: [DatasetBuilderModule.forRoot(config, { bus: testBus(), defaultMetrics: false, ...overrides })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const bus = app.get<MemoryEventBus<FlywheelCatalogue>>(MemoryEventBus);
  await app.get(BuilderLifecycle).whenStarted();
  const worker = app.get(BuildQueueWorker);
  return {
    app,
    bus,
    settle: async () => {
      await bus.drain();
      await worker.settled();
      await bus.drain();
    },
  };
}

describe('dataset-builder (Nest app on the in-memory bus)', () => {
  let logStore: LogStore;
  beforeAll(async () => {
    logStore = await logStoreWith();
  });
  afterAll(async () => {
    await logStore.close();
  });

  it('turns run.requested into datasets.built and deploy requests, and answers a redelivery with the stored events', async () => {
    const datasets = new CountingDatasetStore();
    const { app, bus, settle } = await boot({
      logStore,
      datasets,
      state: new SqliteRunStateStore(':memory:'),
      clock: () => REQUESTED_AT + 1,
    });
    try {
      const event = runRequested({ run_id: 'run-nest' });
      await bus.publish(Topics.runRequestedV1, event);
      await settle();

      const [built] = bus.publishedTo(Topics.datasetsBuiltV1);
      expect(built?.event_id).toBe(eventIdOf('run-nest', 'datasets.built'));
      expect(built?.eval.record_count).toBe(20);
      expect(bus.publishedTo(Topics.candidateDeployRequestedV1)).toHaveLength(3);
      expect(bus.deadLetters).toEqual([]);
      const uploads = datasets.uploads.length;

      // At-least-once delivery: the same request again.
      await bus.publish(Topics.runRequestedV1, event);
      await settle();
      const builtEvents = bus.publishedTo(Topics.datasetsBuiltV1);
      expect(builtEvents).toHaveLength(2);
      expect(builtEvents[1]?.event_id).toBe(builtEvents[0]?.event_id);
      expect(datasets.uploads).toHaveLength(uploads);
    } finally {
      await app.close();
    }
  });

  it('records a cancel in its own consumer group and then ignores the run', async () => {
    const datasets = new CountingDatasetStore();
    const { app, bus, settle } = await boot({ logStore, datasets, state: new SqliteRunStateStore(':memory:') });
    try {
      await bus.publish(Topics.runCancelRequestedV1, {
        event_id: eventIdOf('run-gone', 'test-cancel'),
        run_id: 'run-gone',
        occurred_at: REQUESTED_AT,
        requested_by: 'alice',
        reason: 'wrong workload',
      });
      await settle();
      expect(bus.deliveries.map((d) => d.groupId)).toEqual([CONTROL_GROUP_ID]);

      await bus.publish(Topics.runRequestedV1, runRequested({ run_id: 'run-gone' }));
      await settle();
      expect(bus.published.map((e) => e.topic)).toEqual([Topics.runCancelRequestedV1, Topics.runRequestedV1]);
      expect(datasets.uploads).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('removes the datasets of a deleted run (control group)', async () => {
    const datasets = new CountingDatasetStore();
    const { app, bus, settle } = await boot({ logStore, datasets, state: new SqliteRunStateStore(':memory:') });
    try {
      await bus.publish(Topics.runRequestedV1, runRequested({ run_id: 'run-deleted' }));
      await settle();
      const [built] = bus.publishedTo(Topics.datasetsBuiltV1);
      const evalRef = { namespace: 'dfwbp', name: built?.eval.name ?? '' };
      expect(await datasets.getDataset(evalRef)).not.toBeNull();

      await bus.publish(Topics.runDeletedV1, {
        event_id: eventIdOf('run-deleted', 'test-delete'),
        run_id: 'run-deleted',
        occurred_at: REQUESTED_AT + 5,
        deleted_by: 'alice',
      });
      await settle();
      expect(await datasets.getDataset(evalRef)).toBeNull();
      expect(await datasets.getDataset({ namespace: 'dfwbp', name: built?.icl?.name ?? '' })).toBeNull();
      expect(bus.deadLetters).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('retries while the log store is down and, out of attempts, fails the run instead of dead-lettering it', async () => {
    let queries = 0;
    // The real store with a failing query (prototype chain keeps its other methods).
    const down = Object.assign(Object.create(logStore) as LogStore, {
      query: (): Promise<StoredLogRecord[]> => {
        queries += 1;
        return Promise.reject(new Error('SQLITE_CANTOPEN: unable to open database file'));
      },
    });
    const { app, bus, settle } = await boot({
      logStore: down,
      datasets: new CountingDatasetStore(),
      state: new SqliteRunStateStore(':memory:'),
    });
    try {
      await bus.publish(Topics.runRequestedV1, runRequested({ run_id: 'run-down' }));
      await settle();
      expect(queries).toBe(3);
      const [failed] = bus.publishedTo(Topics.runFailedV1);
      expect(failed?.error).toMatchObject({ code: 'DATASET_BUILD_ERROR', retryable: true });
      expect(failed?.error.message).toContain('unable to open database file');
      expect(bus.deadLetters).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('builds several runs at once, whatever partition their requests came on', async () => {
    // Uploads wait until released: every build that started is visible as a pending upload.
    const gate = new GatedDatasetStore();
    const { app, bus, settle } = await boot({ logStore, datasets: gate, state: new SqliteRunStateStore(':memory:') });
    try {
      for (const id of ['run-a', 'run-b', 'run-c', 'run-d', 'run-e'])
        await bus.publish(Topics.runRequestedV1, runRequested({ run_id: id }));
      await bus.drain();
      // The handler only queued them (offsets done); the worker has BUILDER_CONCURRENT_BUILDS (4) in hand.
      await until(() => gate.waiting.size === 4);
      expect([...gate.waiting].sort()).toEqual(
        ['run-a', 'run-b', 'run-c', 'run-d'].map((id) => datasetNameOf('eval', id)).sort(),
      );
      gate.open();
      await settle();
      expect(
        bus
          .publishedTo(Topics.datasetsBuiltV1)
          .map((e) => e.run_id)
          .sort(),
      ).toEqual(['run-a', 'run-b', 'run-c', 'run-d', 'run-e']);
    } finally {
      gate.open();
      await app.close();
    }
  });

  it('resumes the builds a previous process left queued', async () => {
    const state = new SqliteRunStateStore(':memory:');
    // What a builder killed mid-build leaves: the request queued, its offset already committed.
    state.enqueueBuild('run-left', { ...runRequested({ run_id: 'run-left' }) }, Date.now());
    const { app, bus, settle } = await boot({ logStore, datasets: new CountingDatasetStore(), state });
    try {
      await settle();
      expect(bus.publishedTo(Topics.datasetsBuiltV1).map((e) => e.run_id)).toEqual(['run-left']);
      expect(state.queuedBuilds()).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('serves readiness over HTTP, naming each dependency', async () => {
    const state = new SqliteRunStateStore(':memory:');
    const service: HttpService = await startHttpService(
      DatasetBuilderModule.forRoot(config, {
        bus: testBus(),
        defaultMetrics: false,
        logStore,
        datasets: new CountingDatasetStore(),
        state,
      }),
      { name: 'dataset-builder-test', host: '127.0.0.1', port: 0, logLevels: [] },
    );
    try {
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      expect(Object.keys(body.checks).sort()).toEqual(['dataset-store', 'log-store', 'run-state']);

      state.close();
      const notReady = await fetch(`${service.url}/health/ready`);
      expect(notReady.status).toBe(503);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('flywheel_dataset_builds_total');
    } finally {
      await service.close();
    }
  });
});
