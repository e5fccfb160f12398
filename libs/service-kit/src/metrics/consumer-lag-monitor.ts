// Runs the consumer lag probe for whatever consumes in the application, found at bootstrap among its providers (the
// bus module's event bus, a service's own batch consumer), so no service wires lag metrics itself.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { isConsumerLagSource, type ConsumerLagSource } from '@flywheel/bus';
import { BusMetrics } from './bus-metrics';
import { ConsumerLagProbe, type ConsumerLagProbeOptions } from './consumer-lag-probe';

export const CONSUMER_LAG_OPTIONS = Symbol('flywheel.service-kit.consumer-lag-options');

@Injectable()
export class ConsumerLagMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  public readonly probe: ConsumerLagProbe;
  private sources: readonly ConsumerLagSource[] = [];

  public constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(BusMetrics) metrics: BusMetrics,
    @Inject(CONSUMER_LAG_OPTIONS) private readonly options: ConsumerLagProbeOptions | false,
  ) {
    this.probe = new ConsumerLagProbe(() => this.sources, metrics, new Logger('ConsumerLag'), options || {});
  }

  public onApplicationBootstrap(): void {
    if (this.options === false) return;
    this.sources = this.findSources();
    if (this.sources.length > 0) this.probe.start();
  }

  public async onModuleDestroy(): Promise<void> {
    await this.probe.stop();
  }

  private findSources(): ConsumerLagSource[] {
    const found = new Set<ConsumerLagSource>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.isDependencyTreeStatic()) continue;
      // One bus is behind several tokens (EVENT_BUS, EventPublisher, EventSubscriber): the set keeps it once.
      const instance: unknown = wrapper.instance;
      if (isConsumerLagSource(instance)) found.add(instance);
    }
    return [...found];
  }
}
