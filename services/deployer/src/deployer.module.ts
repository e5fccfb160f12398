// The deployer as one Nest module, built from its validated config. Parts that talk to the outside (the platform's
// deployment port, the state file, the bus) are created here from config; tests pass their own.
import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, EventPublisher } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { type DeploymentClient } from '@flywheel/platform-clients';
import {
  createPlatform,
  HealthRegistry,
  PlatformMetrics,
  ServiceKitModule,
  ServiceMetrics,
} from '@flywheel/service-kit';
import { type DeployerConfig } from './config/deployer-config';
import { CAPACITY_SETTINGS, DeployerEventsHandler } from './handlers/deployer-events.handler';
import { DeployerLifecycle } from './lifecycle/deployer-lifecycle';
import { DeployerMetrics } from './metrics/deployer-metrics';
import { DeployerStateStore } from './state/deployer-state-store';
import { DEPLOYER_CONFIG, DEPLOYER_STATE, DEPLOYMENT_CLIENT } from './tokens';
import { DeployerWorker, type DeployerCatalogue } from './worker/deployer-worker';
import { endpointResolver } from './worker/endpoints';

export const SERVICE_NAME = 'deployer';

/** Every topic the deployer consumes. */
export const DEPLOYER_SUBSCRIPTIONS = [
  Topics.candidateDeployRequestedV1,
  Topics.candidateFinishedV1,
  Topics.runCancelRequestedV1,
  Topics.runCancelledV1,
  Topics.runCompletedV1,
  Topics.runFailedV1,
  Topics.runDeletedV1,
] as const;

export interface DeployerOverrides {
  /** Replaces the Kafka bus, e.g. `BusModule.forTesting(catalogue, …)`. */
  readonly bus?: DynamicModule;
  /** Replaces the platform's deployment port built from config. */
  readonly deployments?: DeploymentClient;
  readonly state?: DeployerStateStore;
  readonly clock?: () => number;
  /** Process metrics off in tests (several apps in one process). */
  readonly defaultMetrics?: boolean;
}

@Module({})
export class DeployerModule {
  public static forRoot(config: DeployerConfig, overrides: DeployerOverrides = {}): DynamicModule {
    const bus =
      overrides.bus ??
      BusModule.forService(
        catalogue,
        {
          ...config,
          retry: {
            maxAttempts: 5,
            backoffBaseMs: config.deploy.backoffBaseMs,
            backoffMaxMs: config.deploy.backoffMaxMs,
          },
        },
        DEPLOYER_SUBSCRIPTIONS,
      );
    return {
      module: DeployerModule,
      imports: [
        ServiceKitModule.forRoot({ serviceName: SERVICE_NAME, defaultMetrics: overrides.defaultMetrics ?? true }),
        bus,
      ],
      providers: [
        { provide: DEPLOYER_CONFIG, useValue: config },
        { provide: CAPACITY_SETTINGS, useValue: config.capacity },
        {
          provide: DEPLOYER_STATE,
          useFactory: () => overrides.state ?? new DeployerStateStore(config.statePath),
        },
        {
          provide: DEPLOYMENT_CLIENT,
          useFactory: (observer: PlatformMetrics) =>
            overrides.deployments ?? createPlatform(config.platform, { observer }).deployments,
          inject: [PlatformMetrics],
        },
        {
          provide: DeployerMetrics,
          useFactory: (m: ServiceMetrics) => new DeployerMetrics(m),
          inject: [ServiceMetrics],
        },
        {
          provide: DeployerWorker,
          useFactory: (
            state: DeployerStateStore,
            deployments: DeploymentClient,
            publisher: EventPublisher<DeployerCatalogue>,
            metrics: DeployerMetrics,
          ) =>
            new DeployerWorker(
              {
                state,
                deployments,
                publisher,
                endpointOf: endpointResolver(config.platform),
                backend: config.platform.backend,
                observer: metrics,
                clock: overrides.clock,
              },
              {
                capacity: config.capacity,
                deploy: config.deploy,
                wait: config.wait,
                tickIntervalMs: config.tickIntervalMs,
                reconcileIntervalMs: config.reconcileIntervalMs,
              },
            ),
          inject: [DEPLOYER_STATE, DEPLOYMENT_CLIENT, EventPublisher, DeployerMetrics],
        },
        DeployerEventsHandler,
        {
          provide: DeployerLifecycle,
          useFactory: (
            worker: DeployerWorker,
            state: DeployerStateStore,
            deployments: DeploymentClient,
            health: HealthRegistry,
          ) =>
            new DeployerLifecycle({
              worker,
              state,
              deployments,
              health,
              retry: { backoffBaseMs: config.deploy.backoffBaseMs, backoffMaxMs: config.deploy.backoffMaxMs },
              ownsState: overrides.state === undefined,
            }),
          inject: [DeployerWorker, DEPLOYER_STATE, DEPLOYMENT_CLIENT, HealthRegistry],
        },
      ],
    };
  }
}
