// BusModule: the bus as a global Nest module. forRoot/forRootAsync run on Kafka; forTesting on the in-memory twin.
// Services inject EventPublisher and mark handler methods with @OnEvent(topic).
import {
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { type Catalogue } from '../catalogue';
import { type KafkaBusConfigInput, type KafkaBusOptions, type MemoryBusOptions } from '../config';
import { KafkaEventBus } from '../kafka/kafka-event-bus';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { EventPublisher, EventSubscriber } from '../ports';
import { BusLifecycle } from './bus-lifecycle';
import { HandlerExplorer } from './handler-explorer';
import { type BusObserver } from '../bus-observer';
import { BUS_OBSERVER, EVENT_BUS, type ManagedEventBus } from './tokens';

/**
 * A service's validated bus settings, as its config module builds them (`kafkaConfigFrom`, `kafkaConsumerFrom`,
 * the consumer-group variables). Without `retry` / `handlerTimeoutMs` the bus defaults apply.
 */
export interface ServiceBusSettings {
  readonly kafka: KafkaBusConfigInput['kafka'];
  readonly schemaRegistryUrl: string;
  readonly groupId: string;
  readonly consumer: NonNullable<KafkaBusConfigInput['consumer']> & { readonly sessionTimeoutMs: number };
  readonly retry?: KafkaBusConfigInput['retry'];
  readonly handlerTimeoutMs?: number;
}

/** Shortest rebalance wait of a service's consumer group (see `BusModule.forService`). */
export const MIN_REBALANCE_TIMEOUT_MS = 10_000;

export interface BusModuleAsyncOptions<C extends Catalogue> {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (...args: never[]) => KafkaBusOptions<C> | Promise<KafkaBusOptions<C>>;
}

const BUS_OPTIONS = Symbol('flywheel.bus.options');

@Module({})
export class BusModule {
  public static forRoot<C extends Catalogue>(options: KafkaBusOptions<C>): DynamicModule {
    return BusModule.build([
      {
        provide: EVENT_BUS,
        useFactory: (observer?: BusObserver) => kafkaBus(options, observer),
        inject: [{ token: BUS_OBSERVER, optional: true }],
      },
    ]);
  }

  /**
   * The Kafka bus of a flywheel service: its settings plus the topics it must handle. The rebalance wait follows the
   * session timeout (at least MIN_REBALANCE_TIMEOUT_MS) instead of kafkajs's 60 s, so a restarted member rejoins
   * as fast as its session allows.
   */
  public static forService<C extends Catalogue>(
    catalogue: C,
    settings: ServiceBusSettings,
    subscriptions: readonly string[],
  ): DynamicModule {
    return BusModule.forRoot(serviceBusOptions(catalogue, settings, subscriptions));
  }

  /** Options from another provider, typically the service's validated config. */
  public static forRootAsync<C extends Catalogue>(options: BusModuleAsyncOptions<C>): DynamicModule {
    return BusModule.build(
      [
        { provide: BUS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: EVENT_BUS,
          useFactory: (o: KafkaBusOptions<C>, observer?: BusObserver) => kafkaBus(o, observer),
          inject: [BUS_OPTIONS, { token: BUS_OBSERVER, optional: true }],
        },
      ],
      options.imports,
    );
  }

  /** The in-memory twin; get it with `moduleRef.get(MemoryEventBus)` to publish, drain and assert. */
  public static forTesting<C extends Catalogue>(catalogue: C, options: MemoryBusOptions = {}): DynamicModule {
    const module = BusModule.build([
      { provide: EVENT_BUS, useFactory: () => new MemoryEventBus<Catalogue>(catalogue, options) },
      { provide: MemoryEventBus, useExisting: EVENT_BUS },
    ]);
    return { ...module, exports: [...(module.exports ?? []), MemoryEventBus] };
  }

  private static build(busProviders: Provider[], imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: BusModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...busProviders,
        { provide: EventPublisher, useExisting: EVENT_BUS },
        { provide: EventSubscriber, useExisting: EVENT_BUS },
        HandlerExplorer,
        BusLifecycle,
      ],
      exports: [EventPublisher, EventSubscriber, EVENT_BUS],
    };
  }
}

/** The Kafka bus options of `BusModule.forService`. */
export function serviceBusOptions<C extends Catalogue>(
  catalogue: C,
  settings: ServiceBusSettings,
  subscriptions: readonly string[],
): KafkaBusOptions<C> {
  return {
    catalogue,
    kafka: settings.kafka,
    schemaRegistry: { url: settings.schemaRegistryUrl },
    groupId: settings.groupId,
    subscriptions: [...subscriptions],
    retry: settings.retry,
    handlerTimeoutMs: settings.handlerTimeoutMs,
    consumer: {
      ...settings.consumer,
      rebalanceTimeoutMs: Math.max(settings.consumer.sessionTimeoutMs, MIN_REBALANCE_TIMEOUT_MS),
    },
  };
}

function kafkaBus<C extends Catalogue>(options: KafkaBusOptions<C>, observer?: BusObserver): ManagedEventBus {
  return new KafkaEventBus<Catalogue>(options, { logger: new Logger('EventBus'), observer });
}
