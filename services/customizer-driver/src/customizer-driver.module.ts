// The customizer-driver as one Nest module, built from its validated config. Parts that talk to the outside (the
// Customizer port, the bus, the state file) are created here from config; tests pass their own.
import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, EventPublisher } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { type CustomizationClient } from '@flywheel/platform-clients';
import {
  createPlatform,
  HealthRegistry,
  PlatformMetrics,
  ServiceKitModule,
  ServiceMetrics,
} from '@flywheel/service-kit';
import { type DriverConfig } from './config/driver-config';
import { type FlywheelCatalogue } from './customization/events';
import { RecordIntents } from './handlers/record-intents';
import { RunEventsHandler } from './handlers/run-events.handler';
import { DriverLifecycle } from './lifecycle/driver-lifecycle';
import { DriverMetrics } from './metrics/driver-metrics';
import { CustomizationStateStore } from './state/customization-state-store';
import { CUSTOMIZATION_CLIENT, DRIVER_CONFIG, STATE_STORE } from './tokens';
import { CustomizationWorker } from './worker/customization-worker';

export const SERVICE_NAME = 'customizer-driver';

/** Every topic the driver reads (all in one consumer group: handlers only record, so none holds up another). */
export const SUBSCRIPTIONS = [
  Topics.runRequestedV1,
  Topics.datasetsBuiltV1,
  Topics.runCancelRequestedV1,
  Topics.runCancelledV1,
  Topics.runFailedV1,
  Topics.runDeletedV1,
  Topics.candidateFinishedV1,
] as const;

export interface DriverOverrides {
  /** Replaces the Kafka bus, e.g. `BusModule.forTesting(catalogue, …)`. */
  readonly bus?: DynamicModule;
  /** Replaces the configured platform's Customizer port. */
  readonly customization?: CustomizationClient;
  readonly state?: CustomizationStateStore;
  readonly clock?: () => number;
  /** Process metrics off in tests (several apps in one process). */
  readonly defaultMetrics?: boolean;
}

@Module({})
export class CustomizerDriverModule {
  public static forRoot(config: DriverConfig, overrides: DriverOverrides = {}): DynamicModule {
    const bus = overrides.bus ?? BusModule.forService(catalogue, config, SUBSCRIPTIONS);
    return {
      module: CustomizerDriverModule,
      imports: [
        ServiceKitModule.forRoot({ serviceName: SERVICE_NAME, defaultMetrics: overrides.defaultMetrics ?? true }),
        bus,
      ],
      providers: [
        { provide: DRIVER_CONFIG, useValue: config },
        {
          provide: CUSTOMIZATION_CLIENT,
          useFactory: (observer: PlatformMetrics) =>
            overrides.customization ?? createPlatform(config.platform, { observer }).customization,
          inject: [PlatformMetrics],
        },
        { provide: STATE_STORE, useFactory: () => overrides.state ?? new CustomizationStateStore(config.statePath) },
        { provide: DriverMetrics, useFactory: (m: ServiceMetrics) => new DriverMetrics(m), inject: [ServiceMetrics] },
        {
          provide: CustomizationWorker,
          useFactory: (
            state: CustomizationStateStore,
            customization: CustomizationClient,
            publisher: EventPublisher<FlywheelCatalogue>,
            metrics: DriverMetrics,
          ) =>
            new CustomizationWorker(
              { state, customization, publisher, observer: metrics, clock: overrides.clock },
              {
                worker: config.worker,
                wait: config.wait,
                namespace: config.namespace,
                training: config.training,
                models: config.models,
              },
            ),
          inject: [STATE_STORE, CUSTOMIZATION_CLIENT, EventPublisher, DriverMetrics],
        },
        {
          provide: RecordIntents,
          useFactory: (state: CustomizationStateStore) => new RecordIntents(state),
          inject: [STATE_STORE],
        },
        {
          provide: RunEventsHandler,
          useFactory: (intents: RecordIntents, worker: CustomizationWorker, metrics: DriverMetrics) =>
            new RunEventsHandler(intents, worker, metrics),
          inject: [RecordIntents, CustomizationWorker, DriverMetrics],
        },
        {
          provide: DriverLifecycle,
          useFactory: (
            state: CustomizationStateStore,
            worker: CustomizationWorker,
            customization: CustomizationClient,
            health: HealthRegistry,
          ) => new DriverLifecycle({ state, worker, customization, health, ownsState: overrides.state === undefined }),
          inject: [STATE_STORE, CustomizationWorker, CUSTOMIZATION_CLIENT, HealthRegistry],
        },
      ],
    };
  }
}
