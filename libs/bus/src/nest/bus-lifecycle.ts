// Ties the bus to Nest's lifecycle: wire handlers on module init (boot fails on bad wiring), consume only once the
// whole app is initialised, and on shutdown stop consuming first (in-flight handlers finish and commit while their
// dependencies are still up), then flush and disconnect the producer last.
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { BusConfigError } from '../errors';
import { HandlerExplorer, planWiring } from './handler-explorer';
import { EVENT_BUS, type ManagedEventBus } from './tokens';

@Injectable()
export class BusLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('EventBus');

  public constructor(
    @Inject(EVENT_BUS) private readonly bus: ManagedEventBus,
    @Inject(HandlerExplorer) private readonly explorer: HandlerExplorer,
  ) {}

  public onModuleInit(): void {
    const plan = planWiring(this.explorer.explore(), {
      catalogue: this.bus.catalogue,
      groupId: this.bus.config.groupId,
      subscriptions: this.bus.config.subscriptions,
    });
    if (plan.problems.length > 0) throw new BusConfigError(plan.problems);
    for (const h of plan.handlers) this.bus.subscribe(h.topic, h.handler, { groupId: h.groupId, name: h.name });
    if (plan.lines.length === 0) this.logger.log('no @OnEvent handlers: publishing only');
    else this.logger.log(`event handlers:\n  ${plan.lines.join('\n  ')}`);
  }

  public async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
  }

  public async onModuleDestroy(): Promise<void> {
    await this.bus.stop();
  }

  public async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
