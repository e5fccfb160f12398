import { BusMetrics } from './bus-metrics';
import { ServiceMetrics } from './service-metrics';

describe('BusMetrics', () => {
  it('exports lag per group and partition, handler time and outcomes (dead letters included) under fixed names', async () => {
    const metrics = new ServiceMetrics({ serviceName: 'svc', defaultMetrics: false });
    const bus = new BusMetrics(metrics);
    bus.lag({ topic: 't', groupId: 'g', partition: 2, records: 41 });
    bus.lag({ topic: 't', groupId: 'g', partition: 2, records: 7 });
    bus.delivered({ topic: 't', groupId: 'g', outcome: 'processed', seconds: 0.02 });
    bus.delivered({ topic: 't', groupId: 'g', outcome: 'dead-letter', seconds: 1.5 });
    const text = await metrics.text();
    expect(text).toMatch(/^flywheel_consumer_lag_records\{.*group="g".*partition="2".*\} 7$/m);
    expect(text).toMatch(/^flywheel_events_handled_total\{.*outcome="dead-letter".*\} 1$/m);
    expect(text).toMatch(/^flywheel_handler_duration_seconds_count\{.*outcome="processed".*\} 1$/m);
  });
});
