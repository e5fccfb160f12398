// The dataset-builder as one Nest module, built from its validated config. Parts that talk to the outside (log
// store, dataset store, embeddings, the bus) are created here from config; tests pass their own.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { BusModule, EventPublisher } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { type DatasetStore, type EmbeddingClient } from '@flywheel/platform-clients';
import { HealthRegistry, PlatformMetrics, ServiceKitModule, ServiceMetrics } from '@flywheel/service-kit';
import { createLogStore, type LogStore } from '@flywheel/stores';
import { BuildDatasets, type FlywheelCatalogue } from './build/build-datasets';
import { BuildQueueWorker } from './build/build-queue-worker';
import { DeleteRunDatasets } from './build/delete-run-datasets';
import { PlatformEmbeddings } from './build/embedding-adapter';
import { type BuilderConfig } from './config/builder-config';
import { RunEventsHandler } from './handlers/run-events.handler';
import { BuilderLifecycle } from './lifecycle/builder-lifecycle';
import { BuilderMetrics } from './metrics/builder-metrics';
import { createDatasetStore, createEmbeddingClient } from './platform/platform-ports';
import { SqliteRunStateStore, type RunStateStore } from './state/run-state-store';
import { BUILDER_CONFIG, DATASET_STORE, EMBEDDINGS, LOG_STORE, RUN_STATE } from './tokens';

export const SERVICE_NAME = 'dataset-builder';

export interface EmbeddingEndpoint {
  readonly client: EmbeddingClient;
  readonly model: string;
}

export interface BuilderOverrides {
  /** Replaces the Kafka bus, e.g. `BusModule.forTesting(catalogue, …)`. */
  readonly bus?: DynamicModule;
  readonly logStore?: LogStore;
  readonly datasets?: DatasetStore;
  readonly state?: RunStateStore;
  /** The embedding endpoint of semantic ICL selection; null = none. */
  readonly embeddings?: EmbeddingEndpoint | null;
  readonly clock?: () => number;
  /** Process metrics off in tests (several apps in one process). */
  readonly defaultMetrics?: boolean;
}

@Module({})
export class DatasetBuilderModule {
  public static forRoot(config: BuilderConfig, overrides: BuilderOverrides = {}): DynamicModule {
    const bus = overrides.bus ?? BusModule.forService(catalogue, config, [Topics.runRequestedV1]);
    return {
      module: DatasetBuilderModule,
      imports: [
        ServiceKitModule.forRoot({ serviceName: SERVICE_NAME, defaultMetrics: overrides.defaultMetrics ?? true }),
        bus,
      ],
      providers: [
        { provide: BUILDER_CONFIG, useValue: config },
        { provide: LOG_STORE, useFactory: () => overrides.logStore ?? openLogStore(config) },
        {
          provide: DATASET_STORE,
          useFactory: (observer: PlatformMetrics) =>
            overrides.datasets ?? createDatasetStore(config.platform, config.namespace, { observer }),
          inject: [PlatformMetrics],
        },
        { provide: RUN_STATE, useFactory: () => overrides.state ?? new SqliteRunStateStore(config.statePath) },
        {
          provide: EMBEDDINGS,
          useFactory: (observer: PlatformMetrics): EmbeddingEndpoint | null => {
            if (overrides.embeddings !== undefined) return overrides.embeddings;
            const client = createEmbeddingClient(config.embedding, { observer });
            return client === null || config.embedding === null ? null : { client, model: config.embedding.model };
          },
          inject: [PlatformMetrics],
        },
        { provide: BuilderMetrics, useFactory: (m: ServiceMetrics) => new BuilderMetrics(m), inject: [ServiceMetrics] },
        {
          provide: BuildDatasets,
          useFactory: (
            logStore: LogStore,
            datasets: DatasetStore,
            state: RunStateStore,
            embeddings: EmbeddingEndpoint | null,
            publisher: EventPublisher<FlywheelCatalogue>,
            metrics: BuilderMetrics,
          ) =>
            new BuildDatasets(
              {
                logStore,
                datasets,
                state,
                publisher,
                observer: metrics,
                clock: overrides.clock,
                embeddings:
                  embeddings === null
                    ? undefined
                    : (signal) => new PlatformEmbeddings(embeddings.client, embeddings.model, signal),
              },
              { curation: config.curation, namespace: config.namespace, readFactor: config.readFactor },
            ),
          inject: [LOG_STORE, DATASET_STORE, RUN_STATE, EMBEDDINGS, EventPublisher, BuilderMetrics],
        },
        {
          provide: BuildQueueWorker,
          useFactory: (build: BuildDatasets, state: RunStateStore, metrics: BuilderMetrics) => {
            const logger = new Logger('DatasetBuilder');
            return new BuildQueueWorker({
              build,
              state,
              observer: metrics,
              logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
              settings: {
                concurrency: config.concurrentBuilds,
                maxAttempts: config.retry.maxAttempts,
                attemptTimeoutMs: config.handlerTimeoutMs,
                backoffBaseMs: config.retry.backoffBaseMs,
                backoffMaxMs: config.retry.backoffMaxMs,
              },
            });
          },
          inject: [BuildDatasets, RUN_STATE, BuilderMetrics],
        },
        {
          provide: RunEventsHandler,
          useFactory: (builds: BuildQueueWorker, state: RunStateStore, deleteRun: DeleteRunDatasets) =>
            new RunEventsHandler(builds, state, deleteRun),
          inject: [BuildQueueWorker, RUN_STATE, DeleteRunDatasets],
        },
        {
          provide: DeleteRunDatasets,
          useFactory: (datasets: DatasetStore, state: RunStateStore) =>
            new DeleteRunDatasets({ datasets, state }, config.namespace),
          inject: [DATASET_STORE, RUN_STATE],
        },
        {
          provide: BuilderLifecycle,
          useFactory: (
            logStore: LogStore,
            datasets: DatasetStore,
            state: RunStateStore,
            health: HealthRegistry,
            builds: BuildQueueWorker,
          ) =>
            new BuilderLifecycle({
              logStore,
              datasets,
              state,
              health,
              builds,
              namespace: config.namespace,
              owns: { logStore: overrides.logStore === undefined, state: overrides.state === undefined },
              retry: { backoffBaseMs: config.retry.backoffBaseMs, backoffMaxMs: config.retry.backoffMaxMs },
            }),
          inject: [LOG_STORE, DATASET_STORE, RUN_STATE, HealthRegistry, BuildQueueWorker],
        },
      ],
    };
  }
}

function openLogStore(config: BuilderConfig): LogStore {
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
    mkdirSync(dirname(config.store.path), { recursive: true });
  }
  return createLogStore(config.store);
}
