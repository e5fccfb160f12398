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
import { type KafkaBusOptions, type MemoryBusOptions } from '../config';
import { KafkaEventBus } from '../kafka/kafka-event-bus';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { EventPublisher, EventSubscriber } from '../ports';
import { BusLifecycle } from './bus-lifecycle';
import { HandlerExplorer } from './handler-explorer';
import { EVENT_BUS, type ManagedEventBus } from './tokens';

export interface BusModuleAsyncOptions<C extends Catalogue> {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (...args: never[]) => KafkaBusOptions<C> | Promise<KafkaBusOptions<C>>;
}

const BUS_OPTIONS = Symbol('flywheel.bus.options');

@Module({})
export class BusModule {
  public static forRoot<C extends Catalogue>(options: KafkaBusOptions<C>): DynamicModule {
    return BusModule.build([{ provide: EVENT_BUS, useFactory: () => kafkaBus(options) }]);
  }

  /** Options from another provider, typically the service's validated config. */
  public static forRootAsync<C extends Catalogue>(options: BusModuleAsyncOptions<C>): DynamicModule {
    return BusModule.build(
      [
        { provide: BUS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: EVENT_BUS, useFactory: (o: KafkaBusOptions<C>) => kafkaBus(o), inject: [BUS_OPTIONS] },
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

function kafkaBus<C extends Catalogue>(options: KafkaBusOptions<C>): ManagedEventBus {
  return new KafkaEventBus<Catalogue>(options, { logger: new Logger('EventBus') });
}
