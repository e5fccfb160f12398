// The results-aggregator as one Nest module, built from its validated config: the jobs API, the projection of every
// run event into the RunStore, health/readiness and metrics. Parts that talk to the outside (stores, bus) are
// created here from config; tests pass their own (BusModule.forTesting, stores on temp files).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BusModule, EventPublisher } from '@flywheel/bus';
import { catalogue } from '@flywheel/contracts';
import { HealthRegistry, ServiceKitModule, ServiceMetrics } from '@flywheel/service-kit';
import { createLogStore, createRunStore, type LogStore, type RunStore } from '@flywheel/stores';
import { type AggregatorConfig } from './config/aggregator-config';
import { CONSUMED_TOPICS, ProjectionHandler } from './handlers/projection.handler';
import { TriggerHandler } from './handlers/trigger.handler';
import { ApiErrorFilter } from './http/api-error.filter';
import { DocsController } from './http/docs.controller';
import { JobsController } from './http/jobs.controller';
import { Jobs } from './jobs/jobs';
import { AggregatorLifecycle } from './lifecycle/aggregator-lifecycle';
import { AggregatorMetrics } from './metrics/aggregator-metrics';
import { type FlywheelCatalogue, RunProjection } from './projection/run-projection';
import { StallDetector } from './projection/stall-detector';
import { RunTriggers } from './triggers/run-triggers';
import { AGGREGATOR_CONFIG, LOG_STORE, RUN_STORE } from './tokens';

export const SERVICE_NAME = 'results-aggregator';

export interface AggregatorOverrides {
  /** Replaces the Kafka bus, e.g. `BusModule.forTesting(catalogue, { groupId })`. */
  readonly bus?: DynamicModule;
  readonly runStore?: RunStore;
  readonly logStore?: LogStore;
  readonly clock?: () => number;
  readonly newId?: () => string;
  /** Process metrics off in tests (several apps in one process). */
  readonly defaultMetrics?: boolean;
}

@Module({})
export class AggregatorModule {
  public static forRoot(config: AggregatorConfig, overrides: AggregatorOverrides = {}): DynamicModule {
    const bus = overrides.bus ?? BusModule.forService(catalogue, config, CONSUMED_TOPICS);
    return {
      module: AggregatorModule,
      imports: [
        ServiceKitModule.forRoot({ serviceName: SERVICE_NAME, defaultMetrics: overrides.defaultMetrics ?? true }),
        bus,
      ],
      controllers: [JobsController, DocsController],
      providers: [
        { provide: AGGREGATOR_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        { provide: RUN_STORE, useFactory: () => overrides.runStore ?? openRunStore(config) },
        { provide: LOG_STORE, useFactory: () => overrides.logStore ?? openLogStore(config) },
        {
          provide: AggregatorMetrics,
          useFactory: (m: ServiceMetrics) => new AggregatorMetrics(m),
          inject: [ServiceMetrics],
        },
        {
          provide: RunProjection,
          useFactory: (store: RunStore, publisher: EventPublisher<FlywheelCatalogue>, metrics: AggregatorMetrics) =>
            new RunProjection({ store, publisher, decision: config.decision, observer: metrics }),
          inject: [RUN_STORE, EventPublisher, AggregatorMetrics],
        },
        {
          provide: StallDetector,
          useFactory: (store: RunStore, publisher: EventPublisher<FlywheelCatalogue>, projection: RunProjection) =>
            new StallDetector({
              store,
              publisher,
              projection,
              timeoutMs: config.stall.timeoutMs,
              republishPendingAfterMs: config.stall.republishPendingAfterMs,
              clock: overrides.clock,
            }),
          inject: [RUN_STORE, EventPublisher, RunProjection],
        },
        {
          provide: ProjectionHandler,
          useFactory: (projection: RunProjection, stalls: StallDetector) => new ProjectionHandler(projection, stalls),
          inject: [RunProjection, StallDetector],
        },
        {
          provide: Jobs,
          useFactory: (runs: RunStore, logs: LogStore, publisher: EventPublisher<FlywheelCatalogue>) =>
            new Jobs({
              runs,
              logs,
              publisher,
              config: config.jobs,
              decision: config.decision,
              clock: overrides.clock,
              newId: overrides.newId,
            }),
          inject: [RUN_STORE, LOG_STORE, EventPublisher],
        },
        {
          provide: RunTriggers,
          useFactory: (runs: RunStore, logs: LogStore, jobs: Jobs) => {
            const logger = new Logger('RunTriggers');
            return new RunTriggers({
              triggers: config.triggers,
              runs,
              logs,
              jobs,
              logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m) },
            });
          },
          inject: [RUN_STORE, LOG_STORE, Jobs],
        },
        {
          provide: TriggerHandler,
          useFactory: (triggers: RunTriggers) => new TriggerHandler(triggers),
          inject: [RunTriggers],
        },
        {
          provide: AggregatorLifecycle,
          useFactory: (runs: RunStore, logs: LogStore, health: HealthRegistry, stalls: StallDetector) =>
            new AggregatorLifecycle(runs, logs, health, stalls, config.stall.checkIntervalMs),
          inject: [RUN_STORE, LOG_STORE, HealthRegistry, StallDetector],
        },
      ],
    };
  }
}

function ensureDir(path: string): void {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
}

function openRunStore(config: AggregatorConfig): RunStore {
  if (config.runStore.kind === 'sqlite') ensureDir(config.runStore.path);
  return createRunStore(config.runStore);
}

function openLogStore(config: AggregatorConfig): LogStore {
  if (config.logStore.kind === 'sqlite') ensureDir(config.logStore.path);
  return createLogStore(config.logStore);
}
