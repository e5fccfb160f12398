import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BusModule,
  ConsumerLagError,
  MemoryEventBus,
  OnEvent,
  Outcome,
  type ConsumerLagSource,
  type PartitionLag,
} from '@flywheel/bus';
import { type EventContract } from '@flywheel/contracts';
import { ServiceKitModule } from '../service-kit.module';
import { BusMetrics } from './bus-metrics';
import { ConsumerLagProbe, type ProbeLogger } from './consumer-lag-probe';
import { ServiceMetrics } from './service-metrics';

const TICK = 'test.tick.v1';
interface TickV1 {
  eventId: string;
}
const tickContract: EventContract<typeof TICK, TickV1> = {
  topic: TICK,
  subject: `${TICK}-value`,
  schema: {
    type: 'record',
    name: 'Tick',
    namespace: 'flywheel.test.v1',
    fields: [{ name: 'eventId', type: 'string' }],
  },
  keyOf: (e) => e.eventId,
  validate: () => [],
};
const catalogue = { [TICK]: tickContract } as const;

class CapturingLogger implements ProbeLogger {
  public readonly lines: string[] = [];
  public log(m: string): void {
    this.lines.push(`log: ${m}`);
  }
  public warn(m: string): void {
    this.lines.push(`warn: ${m}`);
  }
}

function lagLine(text: string, group: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith('flywheel_consumer_lag_records{') && l.includes(`group="${group}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ConsumerLagProbe', () => {
  it('sets the lag gauge from every source, and on a failure counts it, warns once and keeps the last value', async () => {
    const metrics = new ServiceMetrics({ serviceName: 'svc', defaultMetrics: false });
    const bus = new BusMetrics(metrics);
    const logger = new CapturingLogger();
    let failure: Error | undefined;
    const reading: PartitionLag[] = [{ groupId: 'g', topic: 't', partition: 0, records: 12 }];
    const source: ConsumerLagSource = {
      consumerLag: () => (failure ? Promise.reject(failure) : Promise.resolve(reading)),
    };
    const probe = new ConsumerLagProbe(() => [source], bus, logger, { intervalMs: 60_000 });

    await probe.probe();
    expect(lagLine(await metrics.text(), 'g')).toBe(12);

    failure = new ConsumerLagError('timeout', 'no answer within 5000 ms');
    reading[0] = { ...reading[0]!, records: 99 };
    await probe.probe();
    failure = new Error('socket hang up');
    await probe.probe();
    const text = await metrics.text();
    expect(lagLine(text, 'g')).toBe(12); // the last good value
    expect(text).toMatch(/^flywheel_consumer_lag_probe_errors_total\{.*kind="timeout".*\} 1$/m);
    expect(text).toMatch(/^flywheel_consumer_lag_probe_errors_total\{.*kind="error".*\} 1$/m);
    expect(logger.lines).toEqual([expect.stringMatching(/^warn: consumer lag probe failed.*no answer within 5000 ms/)]);

    failure = undefined;
    await probe.probe();
    expect(lagLine(await metrics.text(), 'g')).toBe(99);
    expect(logger.lines.at(-1)).toBe('log: consumer lag probe recovered');
    await probe.stop();
  });
});

describe('ServiceKitModule consumer lag (in-memory bus)', () => {
  it('finds the bus by itself and reports lag rising while a handler is stuck, back to 0 once it is released', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));

    @Injectable()
    class StuckHandler {
      @OnEvent(TICK)
      public async onTick(): Promise<Outcome> {
        await released;
        return Outcome.processed();
      }
    }

    @Module({
      imports: [
        ServiceKitModule.forRoot({ serviceName: 'svc', defaultMetrics: false, consumerLag: { intervalMs: 50 } }),
        BusModule.forTesting(catalogue, { groupId: 'ticks', handlerTimeoutMs: 60_000 }),
      ],
      providers: [StuckHandler],
    })
    class AppModule {}

    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app.useLogger(false);
    await app.init();
    const bus = app.get(MemoryEventBus<typeof catalogue>);
    const metrics = app.get(ServiceMetrics);
    const N = 4;
    for (let i = 0; i < N; i++) await bus.publish(TICK, { eventId: `tick-${i}` });

    await until(async () => lagLine(await metrics.text(), 'ticks') === N, `lag ${N}`);
    release();
    await bus.drain();
    await until(async () => lagLine(await metrics.text(), 'ticks') === 0, 'lag 0');
    await app.close();
  });
});
