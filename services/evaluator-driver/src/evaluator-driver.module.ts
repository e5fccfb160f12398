// The evaluator-driver as one Nest module, built from its validated config. The parts that talk to the outside (the
// bus, the platform's evaluation service, the state file) are created here from config; tests pass their own.
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { BusModule, EventPublisher } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { type EvaluationClient } from '@flywheel/platform-clients';
import {
  createPlatform,
  HealthRegistry,
  PlatformMetrics,
  ServiceKitModule,
  ServiceMetrics,
} from '@flywheel/service-kit';
import { type EvaluatorConfig } from './config/evaluator-config';
import { EvaluationWorker, type FlywheelCatalogue } from './evaluation/evaluation-worker';
import { EvaluationEventsHandler } from './handlers/evaluation-events.handler';
import { EvaluatorLifecycle } from './lifecycle/evaluator-lifecycle';
import { EvaluatorMetrics } from './metrics/evaluator-metrics';
import { EvaluationStateStore } from './state/evaluation-state-store';
import { EVALUATION_CLIENT, EVALUATOR_CONFIG } from './tokens';

export const SERVICE_NAME = 'evaluator-driver';

/** Every topic the driver consumes (one consumer group: the handlers only write the state file). */
export const SUBSCRIPTIONS = [
  Topics.datasetsBuiltV1,
  Topics.candidateDeployedV1,
  Topics.customizationCompletedV1,
  Topics.runCancelRequestedV1,
  Topics.runCancelledV1,
  Topics.runFailedV1,
  Topics.runDeletedV1,
  Topics.candidateFinishedV1,
] as const;

export interface EvaluatorOverrides {
  /** Replaces the Kafka bus, e.g. `BusModule.forTesting(catalogue, …)`. */
  readonly bus?: DynamicModule;
  /** Replaces the configured platform's evaluation service. */
  readonly evaluation?: EvaluationClient;
  readonly state?: EvaluationStateStore;
  readonly clock?: () => number;
  /** Process metrics off in tests (several apps in one process). */
  readonly defaultMetrics?: boolean;
}

@Module({})
export class EvaluatorDriverModule {
  public static forRoot(config: EvaluatorConfig, overrides: EvaluatorOverrides = {}): DynamicModule {
    const bus = overrides.bus ?? BusModule.forService(catalogue, config, SUBSCRIPTIONS);
    return {
      module: EvaluatorDriverModule,
      imports: [
        ServiceKitModule.forRoot({ serviceName: SERVICE_NAME, defaultMetrics: overrides.defaultMetrics ?? true }),
        bus,
      ],
      providers: [
        { provide: EVALUATOR_CONFIG, useValue: config },
        {
          provide: EVALUATION_CLIENT,
          useFactory: (observer: PlatformMetrics): EvaluationClient =>
            overrides.evaluation ?? createPlatform(config.platform, { observer }).evaluation,
          inject: [PlatformMetrics],
        },
        {
          provide: EvaluationStateStore,
          useFactory: () => overrides.state ?? new EvaluationStateStore(config.statePath, overrides.clock),
        },
        {
          provide: EvaluatorMetrics,
          useFactory: (m: ServiceMetrics) => new EvaluatorMetrics(m),
          inject: [ServiceMetrics],
        },
        {
          provide: EvaluationWorker,
          useFactory: (
            state: EvaluationStateStore,
            evaluation: EvaluationClient,
            publisher: EventPublisher<FlywheelCatalogue>,
            metrics: EvaluatorMetrics,
          ) =>
            new EvaluationWorker({
              state,
              evaluation,
              publisher,
              namespace: config.platform.namespace,
              wait: config.wait,
              settings: config.worker,
              clock: overrides.clock,
              logger: new Logger('EvaluatorDriver'),
              observer: metrics,
            }),
          inject: [EvaluationStateStore, EVALUATION_CLIENT, EventPublisher, EvaluatorMetrics],
        },
        {
          provide: EvaluationEventsHandler,
          useFactory: (state: EvaluationStateStore, worker: EvaluationWorker, metrics: EvaluatorMetrics) =>
            new EvaluationEventsHandler(state, worker, metrics),
          inject: [EvaluationStateStore, EvaluationWorker, EvaluatorMetrics],
        },
        {
          provide: EvaluatorLifecycle,
          useFactory: (
            state: EvaluationStateStore,
            worker: EvaluationWorker,
            evaluation: EvaluationClient,
            health: HealthRegistry,
          ) => new EvaluatorLifecycle({ state, worker, evaluation, health, ownsState: overrides.state === undefined }),
          inject: [EvaluationStateStore, EvaluationWorker, EVALUATION_CLIENT, HealthRegistry],
        },
      ],
    };
  }
}
