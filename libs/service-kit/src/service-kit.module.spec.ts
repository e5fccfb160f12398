// The shared endpoints through a real HTTP server: readiness names each failing check, /metrics serves only this
// app's registry, and a check that hangs or throws fails with that as its detail.
import { type Server } from 'node:http';
import { Inject, Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { type HttpService, startHttpService } from './bootstrap';
import { HealthRegistry } from './health/health-registry';
import { ServiceMetrics } from './metrics/service-metrics';
import { ServiceKitModule } from './service-kit.module';

@Injectable()
class FakeStore implements OnModuleInit {
  public attempts = 0;
  public connected = false;
  public readonly processed;

  public constructor(
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
  ) {
    this.processed = metrics.counter({ name: 'fake_records_total', help: 'records', labelNames: ['source'] });
  }

  public onModuleInit(): void {
    this.health.addReadinessCheck('store', () =>
      this.connected
        ? { ok: true, detail: 'connected' }
        : { ok: false, detail: `connecting, attempt ${this.attempts}` },
    );
    this.health.addLivenessCheck('loop', () => ({ ok: true, detail: 'turning' }));
  }
}

function appModule(name: string) {
  @Module({ imports: [ServiceKitModule.forRoot({ serviceName: name })], providers: [FakeStore] })
  class AppModule {}
  return AppModule;
}

const services: HttpService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function start(name: string): Promise<HttpService> {
  const service = await startHttpService(appModule(name), { name, host: '127.0.0.1', port: 0, logLevels: [] });
  services.push(service);
  return service;
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('startHttpService', () => {
  it('runs afterClose once the app is closed (a trace flush), once however often close is called', async () => {
    const order: string[] = [];
    const service = await startHttpService(appModule('svc-close'), {
      name: 'svc-close',
      host: '127.0.0.1',
      port: 0,
      logLevels: [],
      afterClose: () => {
        order.push(`after close, server listening: ${String((service.app.getHttpServer() as Server).listening)}`);
        return Promise.resolve();
      },
    });
    await Promise.all([service.close(), service.close()]);
    expect(order).toEqual(['after close, server listening: false']);
  });
});

describe('startHttpService with LOG_FORMAT=json', () => {
  it('logs one JSON object a line, naming the service, with secrets masked', async () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const service = await startHttpService(appModule('svc-json'), {
      name: 'svc-json',
      host: '127.0.0.1',
      port: 0,
      logLevels: ['log', 'warn', 'error'],
      logFormat: 'json',
      logDestination: destination,
      configSummary: ['NEMO_BASE_URL=http://nemo', 'token: sk-abcdefghijklmnopqrstuv'],
    });
    try {
      new Logger('Worker').warn('platform answered 503');
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.every((r) => r.service === 'svc-json' && typeof r.time === 'string')).toBe(true);
      expect(records).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 'info',
            msg: expect.stringContaining('listening on http://127.0.0.1:') as unknown,
          }),
          expect.objectContaining({ level: 'warn', context: 'Worker', msg: 'platform answered 503' }),
        ]),
      );
      expect(lines.join('\n')).not.toContain('sk-abcdefghijklmnopqrstuv');
    } finally {
      await service.close();
      Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
    }
  });
});

describe('ServiceKitModule', () => {
  it('should answer readiness with 503 and each check’s detail until the dependency is up', async () => {
    const service = await start('svc-a');
    const store = service.app.get(FakeStore);
    store.attempts = 3;

    const down = await get(`${service.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({
      status: 'unavailable',
      checks: { store: { ok: false, detail: 'connecting, attempt 3' } },
    });
    expect((await get(`${service.url}/health/live`)).status).toBe(200);

    store.connected = true;
    const up = await get(`${service.url}/health/ready`);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toEqual({ status: 'ok', checks: { store: { ok: true, detail: 'connected' } } });
  });

  it('should serve each application’s own metrics registry in the Prometheus format', async () => {
    const [a, b] = [await start('svc-a'), await start('svc-b')];
    a.app.get(FakeStore).processed.inc({ source: 'http' }, 2);

    const metricsA = await get(`${a.url}/metrics`);
    const metricsB = await get(`${b.url}/metrics`);
    expect(metricsA.status).toBe(200);
    expect(metricsA.type).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(metricsA.body).toContain('fake_records_total{source="http",service="svc-a"} 2');
    expect(metricsA.body).toContain('process_resident_memory_bytes{service="svc-a"}');
    expect(metricsB.body).not.toContain('fake_records_total{source="http"');
  });
});

describe('HealthRegistry', () => {
  it('should fail a check that throws or hangs, with that as its detail', async () => {
    const health = new HealthRegistry();
    health.addReadinessCheck('broken', () => {
      throw new Error('socket closed');
    });
    health.addReadinessCheck('stuck', () => new Promise(() => undefined), 50);
    health.addReadinessCheck('fine', async () => ({ ok: true, detail: 'ok' }));
    expect(await health.ready()).toEqual({
      status: 'unavailable',
      checks: {
        broken: { ok: false, detail: 'check failed: socket closed' },
        stuck: { ok: false, detail: 'check timed out after 50 ms' },
        fine: { ok: true, detail: 'ok' },
      },
    });
    expect(() => health.addReadinessCheck('fine', () => ({ ok: true, detail: '' }))).toThrow(/registered twice/);
  });
});
