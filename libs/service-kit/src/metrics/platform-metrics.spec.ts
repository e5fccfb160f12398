import { HttpClient, PlatformHttpError } from '@flywheel/platform-clients';
import { PlatformMetrics } from './platform-metrics';
import { ServiceMetrics } from './service-metrics';

describe('PlatformMetrics', () => {
  it('exports every platform call under fixed names: latency by outcome, errors by kind, retries', async () => {
    const metrics = new ServiceMetrics({ serviceName: 'svc', defaultMetrics: false });
    const platform = new PlatformMetrics(metrics);
    const statuses = [503, 200, 404]; // ok after one retry, then a 404 (not retried)
    const http = new HttpClient({
      baseUrl: 'http://nemo.test',
      fetch: () => Promise.resolve(new Response('{}', { status: statuses.shift() ?? 500 })),
      retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      sleep: () => Promise.resolve(),
      observer: platform,
    });
    await http.send({ call: 'customizer.getJob', method: 'GET', path: '/j' });
    await expect(http.send({ call: 'customizer.getJob', method: 'GET', path: '/j' })).rejects.toBeInstanceOf(
      PlatformHttpError,
    );
    platform.callEnded({ call: 'nim.chatCompletion', method: 'POST', outcome: 'timeout', seconds: 30, attempts: 1 });

    const text = await metrics.text();
    expect(text).toMatch(
      /^flywheel_platform_request_duration_seconds_count\{.*call="customizer.getJob".*outcome="ok".*\} 1$/m,
    );
    expect(text).toMatch(
      /^flywheel_platform_request_duration_seconds_count\{.*call="customizer.getJob".*outcome="http-4xx".*\} 1$/m,
    );
    expect(text).toMatch(
      /^flywheel_platform_request_errors_total\{.*call="customizer.getJob".*kind="http-4xx".*\} 1$/m,
    );
    expect(text).toMatch(
      /^flywheel_platform_request_errors_total\{.*call="nim.chatCompletion".*kind="timeout".*\} 1$/m,
    );
    expect(text).toMatch(/^flywheel_platform_request_retries_total\{.*call="customizer.getJob".*\} 1$/m);
    expect(text).not.toMatch(/^flywheel_platform_request_errors_total\{.*kind="ok"/m);
  });
});
